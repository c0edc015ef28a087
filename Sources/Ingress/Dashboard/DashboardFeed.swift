import EventBus
import Synchronization

/// Every message on the bus, fanned out to the dashboards' live streams (`GET /dashboard/events`).
///
/// The ingress listens to every channel only while at least one dashboard is connected: the first
/// `connect()` starts a watch of all channels, the last `disconnect(_:)` stops it, so an ingress without
/// a dashboard is sent no more than the final events `OrderFeed` needs.
///
/// The bus is never held up by a dashboard: messages are appended to each dashboard's own queue, which
/// its stream takes whole (`take(_:)`) a few times a second; a dashboard that lets `queueCapacity`
/// messages pile up is cut (its queue is dropped and `take` says so; the browser reconnects).
final class DashboardFeed: Sendable {
    /// The most messages queued for one dashboard between two takes before it is cut.
    static let queueCapacity = 4096

    /// One dashboard's messages not yet taken.
    private struct Queue {
        var messages: [InboundMessage] = []
        /// Whether it fell `queueCapacity` messages behind: it gets no more.
        var cut = false

        mutating func append(_ message: InboundMessage) {
            guard !cut else { return }
            guard messages.count < DashboardFeed.queueCapacity else {
                cut = true
                messages = []
                return
            }
            messages.append(message)
        }

        mutating func take() -> [InboundMessage] {
            defer { messages = [] }
            return messages
        }
    }

    private struct State {
        var queues: [Int: Queue] = [:]
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

    /// Registers a dashboard; its messages queue from now on, until `disconnect(_:)`.
    /// - Returns: the dashboard's token, for `take(_:)` and `disconnect(_:)`.
    func connect() -> Int {
        state.withLock { state in
            state.nextToken += 1
            state.queues[state.nextToken] = Queue()
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
    }

    /// The messages queued for a dashboard since the last take, oldest first; `nil` once it was cut for
    /// falling behind, or after `disconnect(_:)`.
    func take(_ token: Int) -> [InboundMessage]? {
        state.withLock { state in
            guard state.queues[token]?.cut == false else { return nil }
            return state.queues[token]!.take()
        }
    }

    /// Forgets a dashboard; the watch of every channel stops with the last one.
    func disconnect(_ token: Int) {
        state.withLock { state in
            state.queues[token] = nil
            if state.queues.isEmpty {
                state.watch?.cancel()
                state.watch = nil
            }
        }
    }

    /// Queues a message for every dashboard, cutting those whose queue is full.
    private func deliver(_ message: InboundMessage) {
        state.withLock { state in
            // The tokens first: iterating the dictionary itself while changing it would copy every queue.
            for token in Array(state.queues.keys) { state.queues[token]!.append(message) }
        }
    }
}
