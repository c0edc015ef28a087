/// The decisions of a circuit breaker, without I/O or clocks of its own.
///
/// `closed`: calls go through; `failureThreshold` failures in a row open it. `open`: calls fail fast
/// until `coolDown` has passed, then one trial call is let through (`halfOpen`). A successful trial
/// closes it; a failed one opens it again for another cool-down.
public struct CircuitBreakerMachine: Sendable, Equatable {
    /// The breaker's state.
    public enum State: String, Sendable, CaseIterable {
        case closed
        case open
        case halfOpen = "half_open"
    }

    /// Consecutive failures that open the breaker.
    public let failureThreshold: Int
    /// How long the breaker stays open before a trial call.
    public let coolDown: Duration
    /// The current state.
    public private(set) var state = State.closed
    private var consecutiveFailures = 0
    private var openedAt: ContinuousClock.Instant?
    private var trialInFlight = false

    /// Creates a closed breaker.
    public init(failureThreshold: Int = 5, coolDown: Duration = .seconds(5)) {
        self.failureThreshold = max(1, failureThreshold)
        self.coolDown = coolDown
    }

    /// Whether a call may go out at `now`; moves `open` to `halfOpen` once the cool-down is over.
    public mutating func permit(at now: ContinuousClock.Instant) -> Bool {
        switch state {
        case .closed:
            return true
        case .open:
            guard let openedAt, now - openedAt >= coolDown else { return false }
            state = .halfOpen
            trialInFlight = true
            return true
        case .halfOpen:
            guard !trialInFlight else { return false }
            trialInFlight = true
            return true
        }
    }

    /// A permitted call succeeded.
    public mutating func recordSuccess() {
        state = .closed
        consecutiveFailures = 0
        trialInFlight = false
        openedAt = nil
    }

    /// A permitted call failed at `now`.
    public mutating func recordFailure(at now: ContinuousClock.Instant) {
        trialInFlight = false
        consecutiveFailures += 1
        if state == .halfOpen || consecutiveFailures >= failureThreshold {
            state = .open
            openedAt = now
        }
    }
}
