import EventBus

/// A long-running part of a process, shaped like swift-service-lifecycle's `Service`: `run` returns
/// once its work is done after a graceful shutdown was requested, or at once when its task is cancelled.
public protocol Service: Sendable {
    /// A name for logs, e.g. `stock`.
    var name: String { get }
    /// Runs until `shutdown` is requested and the work in flight is done, or until cancelled.
    func run(until shutdown: GracefulShutdown) async throws
}

/// A bus service run by a `ServiceRunner`.
struct BusService: Service {
    let name: String
    let runner: ServiceRunner

    func run(until shutdown: GracefulShutdown) async throws {
        await runner.run(until: shutdown)
    }
}
