import Telemetry

/// Subscriptions (`SUBSCRIBE` / `PSUBSCRIBE`, or sharded `SSUBSCRIBE`) whose messages arrive as an
/// `AsyncSequence` or through a handler.
///
/// Every subscription has its own connection, driven by a `RedisEventLoop` (the configuration's) like the clients':
/// no thread per subscription. When the connection breaks, the subscription reconnects with backoff and
/// subscribes to its channels and patterns again (including those added or removed since it started),
/// reporting `.disconnected` and then `.subscribed`.
///
/// On a `redis+cluster://` URL a plain subscription connects to a seed node (a plain `PUBLISH` reaches every
/// node), and a sharded one to every primary serving one of its channels' slots, following slots as they
/// move and primaries as they fail over (`ShardedSubscription`).
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

    /// Creates a subscriber; nothing connects until `subscribe` or `start` is called.
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

    /// Subscribes and calls `handler` with every event until the returned subscription is cancelled. For
    /// bridging into another stream, and for changing the channels later; most callers want
    /// `subscribe(channels:patterns:)`.
    ///
    /// `handler` runs on the event loop's thread, which serves every Redis connection of the process: it
    /// must be quick and must not block, e.g. yield into an `AsyncStream` and return.
    /// - Parameters:
    ///   - channels: exact channel names (`SUBSCRIBE`).
    ///   - patterns: glob patterns (`PSUBSCRIBE`).
    ///   - handler: called with each event, in order.
    public func start(
        channels: [String], patterns: [String] = [], handler: @escaping @Sendable (Event) -> Void
    ) -> RedisSubscription {
        let connection = SubscriptionConnection(
            url: url, configuration: configuration, logger: logger,
            channels: channels, patterns: patterns, handler: handler
        )
        connection.loop.execute { connection.start() }
        return RedisSubscription(connection)
    }

    /// Subscribes to shard channels (`SSUBSCRIBE`, Redis 7.0) and calls `handler` with every event until the
    /// returned subscription is cancelled.
    ///
    /// A shard channel lives in the hash slot of its name (a `{hash tag}` counts as for keys), and a message
    /// published on it with `SPUBLISH` stays on the node serving that slot. On a `redis+cluster://` URL each
    /// channel is subscribed on the primary serving its slot, one connection per node, and moved when its
    /// slot moves (Redis then sends `sunsubscribe`) or its node fails over; messages published while a channel
    /// moves are lost to it, as pub/sub messages are while disconnected. On one server it is one connection.
    ///
    /// `handler` runs on the event loop's thread: it must be quick and must not block.
    /// - Parameters:
    ///   - channels: shard channel names.
    ///   - handler: called with each event, in order for each channel.
    public func startSharded(
        channels: [String], handler: @escaping @Sendable (Event) -> Void
    ) -> RedisSubscription {
        if let seeds = url.clusterSeeds {
            let sharded = ShardedSubscription(url: url, seeds: seeds, configuration: configuration, logger: logger,
                                              channels: channels, handler: handler)
            sharded.start()
            return RedisSubscription(sharded: sharded)
        }
        let connection = SubscriptionConnection(
            url: url, configuration: configuration, logger: logger, channels: channels, patterns: [],
            handler: handler, lost: { _ in }
        )
        connection.loop.execute { connection.start() }
        return RedisSubscription(connection)
    }
}
