import Synchronization

/// A circuit breaker that many tasks share; see `CircuitBreakerMachine` for the rules.
public final class CircuitBreaker: Sendable {
    /// A name for logs and metrics, e.g. `payment-provider`.
    public let name: String
    private let machine: Mutex<CircuitBreakerMachine>
    private let onChange: @Sendable (CircuitBreakerMachine.State) -> Void

    /// Creates a closed breaker.
    /// - Parameters:
    ///   - name: for logs and metrics.
    ///   - failureThreshold: consecutive failures that open it.
    ///   - coolDown: how long it stays open before a trial call.
    ///   - onChange: called (outside any lock) with each new state.
    public init(
        name: String, failureThreshold: Int = 5, coolDown: Duration = .seconds(5),
        onChange: @escaping @Sendable (CircuitBreakerMachine.State) -> Void = { _ in }
    ) {
        self.name = name
        self.machine = Mutex(CircuitBreakerMachine(failureThreshold: failureThreshold, coolDown: coolDown))
        self.onChange = onChange
    }

    /// The current state.
    public var state: CircuitBreakerMachine.State { machine.withLock { $0.state } }

    /// Whether a call may go out now.
    public func permit() -> Bool {
        change { $0.permit(at: .now) }
    }

    /// A permitted call succeeded.
    public func recordSuccess() {
        change { $0.recordSuccess() }
    }

    /// A permitted call failed.
    public func recordFailure() {
        change { $0.recordFailure(at: .now) }
    }

    private func change<Result>(_ body: (inout CircuitBreakerMachine) -> Result) -> Result {
        let (result, before, after) = machine.withLock { machine in
            let before = machine.state
            let result = body(&machine)
            return (result, before, machine.state)
        }
        if before != after { onChange(after) }
        return result
    }
}
