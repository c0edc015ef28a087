import Synchronization

/// The simulated provider's latency and failure rate, which may be changed while it runs (to inject an
/// outage and lift it again).
public final class SimulatorBehaviour: Sendable {
    private struct Values {
        var latency: Duration
        var failureRate: Double
    }

    private let values: Mutex<Values>

    /// Creates a behaviour.
    /// - Parameters:
    ///   - latency: how long each charge takes.
    ///   - failureRate: the share of charges, from 0 to 1, that fail as if the provider were down.
    public init(latency: Duration = .zero, failureRate: Double = 0) {
        values = Mutex(Values(latency: max(latency, .zero), failureRate: min(max(failureRate, 0), 1)))
    }

    /// How long each charge takes.
    public var latency: Duration { values.withLock { $0.latency } }

    /// The share of charges that fail.
    public var failureRate: Double { values.withLock { $0.failureRate } }

    /// Changes the behaviour; values out of range are clamped.
    public func update(latency: Duration, failureRate: Double) {
        values.withLock { $0 = Values(latency: max(latency, .zero), failureRate: min(max(failureRate, 0), 1)) }
    }
}
