import Synchronization

/// The simulated provider's latency, failure rate and answer delay, which may be changed while it runs
/// (to inject an outage and lift it again, or to hold answers back in a test).
public final class SimulatorBehaviour: Sendable {
    private struct Values {
        var latency: Duration
        var failureRate: Double
        var answerDelay: Duration
    }

    private let values: Mutex<Values>

    /// Creates a behaviour.
    /// - Parameters:
    ///   - latency: how long each request takes to reach the provider, before anything is charged.
    ///   - failureRate: the share of requests, from 0 to 1, that fail as if the provider were down.
    ///   - answerDelay: how long the answer takes to come back once the provider decided (and charged).
    public init(latency: Duration = .zero, failureRate: Double = 0, answerDelay: Duration = .zero) {
        values = Mutex(Self.clamped(latency: latency, failureRate: failureRate, answerDelay: answerDelay))
    }

    /// How long each request takes to reach the provider.
    public var latency: Duration { values.withLock { $0.latency } }

    /// The share of requests that fail.
    public var failureRate: Double { values.withLock { $0.failureRate } }

    /// How long an answer takes to come back after the provider charged: the window in which a payment
    /// process can die between the charge and its commit, held open on purpose by tests.
    public var answerDelay: Duration { values.withLock { $0.answerDelay } }

    /// Changes the behaviour; values out of range are clamped.
    public func update(latency: Duration, failureRate: Double, answerDelay: Duration = .zero) {
        values.withLock {
            $0 = Self.clamped(latency: latency, failureRate: failureRate, answerDelay: answerDelay)
        }
    }

    private static func clamped(latency: Duration, failureRate: Double, answerDelay: Duration) -> Values {
        Values(latency: max(latency, .zero), failureRate: min(max(failureRate, 0), 1),
               answerDelay: max(answerDelay, .zero))
    }
}
