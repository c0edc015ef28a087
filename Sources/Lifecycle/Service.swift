/// A long-running part of a process, shaped like swift-service-lifecycle's `Service`.
///
/// `run` returns once its work is done after a graceful shutdown was requested (read the request with
/// `GracefulShutdown.current`), or soon after its task is cancelled. A `ServiceGroup` runs services and
/// names them in its logs by their `description` when they are `CustomStringConvertible`.
public protocol Service: Sendable {
    /// Runs until a graceful shutdown is requested and the work in flight is done, or until cancelled.
    func run() async throws
}
