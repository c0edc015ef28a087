/// Exponential backoff with jitter and a cap, for reconnect attempts.
///
/// Each delay is drawn uniformly from the upper half of the current step ("equal jitter"), so a crowd of
/// clients that lost the same server do not all come back in the same millisecond.
public struct Backoff: Sendable {
    /// The first step.
    public var initial: Duration
    /// The largest step.
    public var maximum: Duration
    /// How much each step grows.
    public var multiplier: Double
    private var step: Duration?

    /// Creates a backoff.
    /// - Parameters:
    ///   - initial: the first step.
    ///   - maximum: the cap.
    ///   - multiplier: growth per attempt.
    public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(5), multiplier: Double = 2) {
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
    }

    /// The delay before the next attempt; each call grows the step until the cap.
    public mutating func next() -> Duration {
        let current = step.map { min($0 * multiplier, maximum) } ?? initial
        step = current
        let half = current / 2
        return half + half * Double.random(in: 0...1)
    }

    /// Starts again from the first step, after a success.
    public mutating func reset() {
        step = nil
    }
}
