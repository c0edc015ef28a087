import EventBus

/// A long-running part of a process, shaped like swift-service-lifecycle's `Service`: `run()` returns
/// when the work is done or its task is cancelled.
public protocol Service: Sendable {
    /// A name for logs, e.g. `stock`.
    var name: String { get }
    /// Runs until cancelled.
    func run() async throws
}

/// A bus service run by a `ServiceRunner`.
struct BusService: Service {
    let name: String
    let runner: ServiceRunner

    func run() async throws {
        await runner.run()
    }
}
