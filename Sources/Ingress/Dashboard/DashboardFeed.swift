import EventBus
import Synchronization

/// Every message on the bus, fanned out to the dashboards' live streams (`GET /dashboard/events`).
///
/// The ingress listens to every channel only while at least one dashboard is connected: the first
/// `connect()` starts a watch of all channels, the last `disconnect(_:)` stops it, so an ingress without
/// a dashboard is sent no more than the final events `OrderFeed` needs.
///
/// The bus is never held up by a dashboard: each one gets its own queue of at most `queueCapacity`
/// messages, and a dashboard whose queue is full is cut (its stream ends; the browser reconnects).
final class DashboardFeed: Sendable {
    /// The most messages queued for one dashboard before it is cut.
    static let queueCapacity = 512

    private struct State {
        var clients: [Int: AsyncStream<InboundMessage>.Continuation] = [:]
        var nextToken = 0
        var watch: Task<Void, Never>?
    }

    private let watchAll: @Sendable () -> AsyncStream<InboundMessage>
    private let state = Mutex(State())

    /// Creates the feed.
    /// - Parameter watchAll: starts a watch of every channel (`transport.watch(pattern: "*")`); the
    ///   watch ends when its stream is no longer iterated.
    init(watchAll: @escaping @Sendable () -> AsyncStream<InboundMessage>) {
        self.watchAll = watchAll
    }

    /// Whether the feed is watching the bus, i.e. a dashboard is connected.
    var isWatching: Bool {
        state.withLock { $0.watch != nil }
    }

    /// A new dashboard's messages, from now until `disconnect(_:)` or until it falls `queueCapacity`
    /// messages behind, when the stream ends.
    func connect() -> (token: Int, messages: AsyncStream<InboundMessage>) {
        let (messages, continuation) = AsyncStream<InboundMessage>.makeStream(
            bufferingPolicy: .bufferingOldest(Self.queueCapacity))
        let token = state.withLock { state in
            state.nextToken += 1
            state.clients[state.nextToken] = continuation
            if state.watch == nil {
                let messages = watchAll()
                state.watch = Task { [weak self] in
                    for await message in messages {
                        guard let self else { return }
                        deliver(message)
                    }
                }
            }
            return state.nextToken
        }
        return (token, messages)
    }

    /// Ends a dashboard's stream; the watch of every channel stops with the last one.
    func disconnect(_ token: Int) {
        let continuation = state.withLock { state in
            let continuation = state.clients.removeValue(forKey: token)
            if state.clients.isEmpty {
                state.watch?.cancel()
                state.watch = nil
            }
            return continuation
        }
        continuation?.finish()
    }

    /// Hands a message to every dashboard, cutting those whose queue is full.
    private func deliver(_ message: InboundMessage) {
        let behind = state.withLock { state in
            let full = state.clients.filter { _, continuation in
                if case .dropped = continuation.yield(message) { return true }
                return false
            }
            for token in full.keys { state.clients[token] = nil }
            return full.values
        }
        behind.forEach { $0.finish() }
    }
}
