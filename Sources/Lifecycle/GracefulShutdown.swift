import Synchronization

/// A request to stop taking new work and finish what is in flight, shared by everything in a process
/// (swift-service-lifecycle's graceful shutdown, in small).
///
/// Unlike task cancellation, which stops work where it stands, a graceful shutdown only ends intake:
/// transports stop delivering, runners finish their messages, the HTTP server stops accepting.
///
/// A `ServiceGroup` gives each service its own request, as a task-local value: a service reads it with
/// `GracefulShutdown.current`.
public final class GracefulShutdown: Sendable {
    private struct State {
        var requested = false
        var handlers: [@Sendable () -> Void] = []
    }

    private let state = Mutex(State())

    /// The request of the service running in this task, set by `ServiceGroup`.
    @TaskLocal static var task: GracefulShutdown?

    /// The graceful shutdown request of the service this task runs in (swift-service-lifecycle's
    /// `gracefulShutdown()`, as a value); outside a `ServiceGroup`, a request that is never made.
    public static var current: GracefulShutdown { task ?? GracefulShutdown() }

    /// Creates a token that has not been triggered.
    public init() {}

    /// Whether shutdown was requested.
    public var isRequested: Bool { state.withLock { $0.requested } }

    /// Requests shutdown: runs every registered handler, once.
    public func request() {
        let handlers = state.withLock { state -> [@Sendable () -> Void] in
            guard !state.requested else { return [] }
            state.requested = true
            defer { state.handlers = [] }
            return state.handlers
        }
        handlers.forEach { $0() }
    }

    /// Runs `handler` when shutdown is requested, or at once if it already was.
    public func onRequest(_ handler: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state -> Bool in
            if state.requested { return true }
            state.handlers.append(handler)
            return false
        }
        if runNow { handler() }
    }

    /// Sleeps for `duration`, waking early when shutdown is requested or the task is cancelled.
    public func sleep(for duration: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: duration) }
            group.addTask { await self.wait() }
            await group.next()
            group.cancelAll()
        }
    }

    /// Suspends until shutdown is requested or the task is cancelled.
    public func wait() async {
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        onRequest { continuation.finish() }
        for await _ in stream {}
    }
}
