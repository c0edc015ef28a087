import Resilience
import Dispatch
import Synchronization
import Telemetry

/// A subscriber connection (`SUBSCRIBE` / `PSUBSCRIBE`) whose messages arrive as an `AsyncSequence`.
///
/// Each subscription owns a connection read by a dedicated thread, so a blocked read never holds the
/// cooperative pool. When the connection breaks, the thread reconnects with backoff and subscribes to
/// the same channels and patterns again, reporting `.disconnected` and then `.subscribed` in the stream.
/// Ending the iteration (or cancelling its task) shuts the socket down, which wakes the blocked read
/// at once.
public struct RedisSubscriber: Sendable {
    /// What a subscription reports.
    public enum Event: Sendable, Equatable {
        /// Every channel and pattern is subscribed; sent after the first connect and after each reconnect.
        case subscribed
        /// A message arrived.
        case message(RedisPubSubMessage)
        /// The connection broke or could not be made; the subscriber is retrying.
        case disconnected(RedisError)
    }

    private let url: RedisURL
    private let configuration: RedisConfiguration
    private let logger: Logger

    /// Creates a subscriber; nothing connects until `subscribe` is called.
    /// - Parameters:
    ///   - url: the server.
    ///   - configuration: connect timeout and backoff; the command timeout is ignored, as a subscriber
    ///     waits for messages for ever.
    ///   - logger: where connection state changes are logged.
    public init(url: RedisURL, configuration: RedisConfiguration = RedisConfiguration(), logger: Logger) {
        self.url = url
        var configuration = configuration
        configuration.commandTimeout = nil
        self.configuration = configuration
        self.logger = logger
    }

    /// Subscribes to channels and patterns; the stream runs until its consumer stops iterating.
    /// - Parameters:
    ///   - channels: exact channel names (`SUBSCRIBE`).
    ///   - patterns: glob patterns (`PSUBSCRIBE`), e.g. `*` or `order.*`.
    public func subscribe(channels: [String], patterns: [String] = []) -> AsyncStream<Event> {
        let (stream, continuation) = AsyncStream<Event>.makeStream()
        let subscription = start(channels: channels, patterns: patterns) { continuation.yield($0) }
        continuation.onTermination = { _ in subscription.cancel() }
        return stream
    }

    /// Subscribes and calls `handler` with every event, on the subscription's own thread, until the
    /// returned subscription is cancelled. For bridging into another stream; most callers want
    /// `subscribe(channels:patterns:)`.
    /// - Parameters:
    ///   - channels: exact channel names (`SUBSCRIBE`).
    ///   - patterns: glob patterns (`PSUBSCRIBE`).
    ///   - handler: called with each event, in order.
    public func start(
        channels: [String], patterns: [String] = [], handler: @escaping @Sendable (Event) -> Void
    ) -> RedisSubscription {
        let subscription = RedisSubscription()
        let loop = SubscriptionLoop(
            url: url, configuration: configuration, logger: logger,
            channels: channels, patterns: patterns, control: subscription, handler: handler
        )
        DispatchQueue(label: "switchboard.redis.subscriber").async { loop.run() }
        return subscription
    }
}

/// A running subscription; `cancel()` ends it and wakes its thread at once.
public final class RedisSubscription: Sendable {
    private struct State {
        var isCancelled = false
        var connection: UnsafeConnection?
    }

    /// Lets the reading thread's connection be interrupted from the consumer's thread; `interrupt()` is
    /// the only call made on it from there, under the mutex.
    struct UnsafeConnection: @unchecked Sendable {
        let connection: HiredisConnection
    }

    private let state = Mutex(State())
    private let wakeUp = DispatchSemaphore(value: 0)

    var isCancelled: Bool { state.withLock { $0.isCancelled } }

    /// Ends the subscription: closes its connection and stops reconnecting. Safe from any thread.
    public func cancel() {
        state.withLock { state in
            state.isCancelled = true
            state.connection?.connection.interrupt()
        }
        wakeUp.signal()
    }

    /// Records the live connection; returns false when already cancelled.
    func attach(_ connection: HiredisConnection) -> Bool {
        state.withLock { state in
            guard !state.isCancelled else { return false }
            state.connection = UnsafeConnection(connection: connection)
            return true
        }
    }

    /// Forgets the connection before it is freed, so `cancel()` never touches a closed socket.
    func detach() {
        state.withLock { $0.connection = nil }
    }

    /// Sleeps for `duration` unless cancelled first.
    func sleep(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        _ = wakeUp.wait(timeout: .now() + .nanoseconds(nanoseconds))
    }
}

/// The blocking read loop of one subscription, run on its own thread.
private struct SubscriptionLoop: Sendable {
    let url: RedisURL
    let configuration: RedisConfiguration
    let logger: Logger
    let channels: [String]
    let patterns: [String]
    let control: RedisSubscription
    let handler: @Sendable (RedisSubscriber.Event) -> Void

    func run() {
        var backoff = configuration.backoff
        var failing = false
        while !control.isCancelled {
            do {
                let connection = try HiredisConnection(url: url, configuration: configuration)
                guard control.attach(connection) else { break }
                defer { control.detach() }
                try subscribeAll(on: connection)
                if failing {
                    logger.notice("Redis subscription restored", metadata: ["redis.url": "\(url)"])
                }
                failing = false
                backoff.reset()
                handler(.subscribed)
                try readMessages(from: connection)
            } catch {
                if control.isCancelled { break }
                if !failing {
                    logger.warning("Redis subscription lost, reconnecting",
                                   metadata: ["redis.url": "\(url)", "error": error.message])
                }
                failing = true
                handler(.disconnected(error))
                control.sleep(backoff.next())
            }
        }
    }

    private func subscribeAll(on connection: HiredisConnection) throws(RedisError) {
        if !channels.isEmpty { try connection.append(RedisCommand("SUBSCRIBE", channels)) }
        if !patterns.isEmpty { try connection.append(RedisCommand("PSUBSCRIBE", patterns)) }
        var pending = Set(channels.map { "subscribe:\($0)" } + patterns.map { "psubscribe:\($0)" })
        while !pending.isEmpty {
            let reply = try connection.readReply()
            guard let parts = reply.array, parts.count == 3, let kind = parts[0].string, let name = parts[1].string
            else {
                throw RedisError(.protocolError, "Redis at \(url) answered a subscription with \(reply)")
            }
            pending.remove("\(kind):\(name)")
        }
    }

    private func readMessages(from connection: HiredisConnection) throws(RedisError) {
        while true {
            let reply = try connection.readReply()
            guard let parts = reply.array, let kind = parts.first?.string else { continue }
            switch (kind, parts.count) {
            case ("message", 3):
                guard let channel = parts[1].string, let payload = parts[2].bytes else { continue }
                handler(.message(RedisPubSubMessage(channel: channel, payload: payload)))
            case ("pmessage", 4):
                guard let pattern = parts[1].string, let channel = parts[2].string, let payload = parts[3].bytes
                else { continue }
                handler(.message(RedisPubSubMessage(channel: channel, pattern: pattern, payload: payload)))
            default:
                continue
            }
        }
    }
}
