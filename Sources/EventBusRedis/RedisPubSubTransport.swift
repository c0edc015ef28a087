import EventBus
import Lifecycle
import RedisClient
import Telemetry

/// The default transport: Redis `PUBLISH` / `SUBSCRIBE` on channels named exactly as the event types.
///
/// On a Redis Cluster (`redis+cluster://`) it uses sharded pub/sub instead (`ChannelLayout.partitioned`):
/// an event of an order is sent with `SPUBLISH` on its type's channel of the order's partition,
/// `order.created{p07}`, in the slot of the order's records, so it stays on the node that owns them; a
/// subscriber listens to every partition's channel of each type (`SSUBSCRIBE` per node) and receives the
/// messages under the type's name. Redis has no sharded pattern subscription, so `watch(pattern:)` there
/// covers the `knownChannels` the pattern matches.
///
/// At-most-once, as Redis pub/sub is: a message published while a service is disconnected is lost to
/// it, and every subscriber gets every message (instances of one service do not share work). Each
/// subscription holds at most `maximumBufferedMessages` messages its consumer has not taken; beyond, new
/// ones are dropped and counted (`BoundedInbox`).
public struct RedisPubSubTransport: EventTransport {
    /// Messages one subscription holds by default: 32 × the ingress's default pending orders (each order
    /// sends about one message to each service), about 4 MB at 1 KB a message.
    public static let defaultMaximumBufferedMessages = 4096

    public let name = "pubsub"
    private let client: RedisClient
    private let subscriber: RedisSubscriber
    private let finalRecordRetention: Duration
    private let logger: Logger
    private let maximumBufferedMessages: Int
    private let metrics: MetricsRegistry?
    private let traceRetention: Duration
    private let layout: ChannelLayout
    private let knownChannels: [String]

    /// Creates the transport.
    /// - Parameters:
    ///   - url: the Redis server.
    ///   - configuration: timeouts and backoff for its connections.
    ///   - finalRecordRetention: how long a record is kept after a final commit (`Commit.Outcome.isFinal`).
    ///   - traceRetention: how long a chain's trace log is kept after it began (`TraceLog`); shorter than
    ///     the default only in tests and soak runs.
    ///   - logger: where connection state changes and dropped messages are logged.
    ///   - maximumBufferedMessages: the most messages one subscription holds for its consumer.
    ///   - metrics: where dropped messages are counted (`switchboard_pubsub_dropped_total`).
    ///   - knownChannels: the event types `watch(pattern:)` matches its pattern against on a Redis Cluster,
    ///     which has no sharded pattern subscription; unused on one server, where a pattern covers any channel.
    public init(
        url: RedisURL, configuration: RedisConfiguration = RedisConfiguration(),
        finalRecordRetention: Duration = Commit.defaultFinalRecordRetention,
        traceRetention: Duration = .seconds(TraceLog.retentionSeconds), logger: Logger,
        maximumBufferedMessages: Int = defaultMaximumBufferedMessages, metrics: MetricsRegistry? = nil,
        knownChannels: [String] = []
    ) {
        self.client = RedisClient(url: url, configuration: configuration, logger: logger)
        self.subscriber = RedisSubscriber(url: url, configuration: configuration, logger: logger)
        self.finalRecordRetention = finalRecordRetention
        self.traceRetention = traceRetention
        self.logger = logger
        self.maximumBufferedMessages = maximumBufferedMessages
        self.metrics = metrics
        self.layout = ChannelLayout(url: url)
        self.knownChannels = knownChannels
    }

    /// Publishes an event; on a Redis Cluster with `SPUBLISH` on the channel of its order's partition
    /// (`ChannelLayout.partition(of:)`), as a commit for that order would.
    public func publish(_ event: CloudEvent) async throws(EventBusError) -> Int? {
        try await publish(event.encoded(), on: layout.channel(of: event))
    }

    /// Publishes bytes as they are; on a Redis Cluster on the channel of their event's order's partition
    /// (`ChannelLayout.partition(ofPayload:on:)`).
    public func publish(raw payload: [UInt8], on channel: String) async throws(EventBusError) -> Int? {
        guard layout.isPartitioned else { return try await publish(payload, on: channel) }
        let partition = ChannelLayout.partition(ofPayload: payload, on: channel)
        return try await publish(payload, on: layout.channel(of: channel, in: partition))
    }

    private func publish(_ payload: [UInt8], on channel: String) async throws(EventBusError) -> Int? {
        do {
            switch layout {
            case .single:
                return try await client.send("PUBLISH", channel, payload).int
            case .partitioned:
                return try await client.send(RedisCommand("SPUBLISH", channel, payload).routed(by: channel)).int
            }
        } catch {
            throw EventBusError(error)
        }
    }

    public func consume(channels: [String], group: String, consumer: String, until shutdown: GracefulShutdown)
        -> InboundMessages
    {
        inbox(channels: channels, patterns: [], subscriber: group, until: shutdown).messages
    }

    /// Every message on channels matching `pattern`; on a Redis Cluster, on the `knownChannels` it matches.
    public func watch(pattern: String) -> AsyncStream<InboundMessage> {
        guard layout == .partitioned else {
            return watching(inbox(channels: [], patterns: [pattern], subscriber: "watch", until: GracefulShutdown()))
        }
        let glob = GlobPattern(pattern)
        return watching(inbox(channels: knownChannels.filter(glob.matches), patterns: [], subscriber: "watch",
                              until: GracefulShutdown()))
    }

    public func watch(channels: [String]) -> AsyncStream<InboundMessage> {
        watching(inbox(channels: channels, patterns: [], subscriber: "watch", until: GracefulShutdown()))
    }

    public func acknowledge(_ message: InboundMessage, group: String) async throws(EventBusError) {}

    public func record(_ key: String) async throws(EventBusError) -> StoredRecord? {
        try await client.record(key)
    }

    public func commit(_ commit: Commit, acknowledging message: InboundMessage?, group: String)
        async throws(EventBusError) -> CommitResult
    {
        try await CommitFunction.run(commit, emission: .publish, layout: layout,
                                     finalRecordRetention: finalRecordRetention, traceRetention: traceRetention,
                                     on: client)
    }

    /// A watcher's messages: the inbox's, as a stream that ends it (and so its subscription) when the watcher's
    /// task is cancelled.
    private func watching(_ inbox: BoundedInbox) -> AsyncStream<InboundMessage> {
        AsyncStream(unfolding: { await inbox.next() }, onCancel: { inbox.finish() })
    }

    /// A subscription to `channels` and `patterns` and the inbox it fills, until `shutdown` or until its
    /// consumer is cancelled.
    private func inbox(channels: [String], patterns: [String], subscriber name: String,
                       until shutdown: GracefulShutdown) -> BoundedInbox
    {
        let inbox = BoundedInbox(capacity: maximumBufferedMessages, name: name, logger: logger, metrics: metrics)
        let layout = layout
        let handler: @Sendable (RedisSubscriber.Event) -> Void = { event in
            if case .message(let message) = event {
                inbox.offer(InboundMessage(channel: ChannelLayout.type(ofChannel: message.channel), payload: message.payload))
            }
        }
        let subscription = switch layout {
        case .single: subscriber.start(channels: channels, patterns: patterns, handler: handler)
        case .partitioned: subscriber.startSharded(channels: channels.flatMap(layout.channels(of:)), handler: handler)
        }
        inbox.onTermination { subscription.cancel() }
        shutdown.onRequest {
            subscription.cancel()
            inbox.finish()
        }
        return inbox
    }
}
