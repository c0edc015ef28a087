import EventBus
import Lifecycle
import RedisClient
import Telemetry

/// The default transport: Redis `PUBLISH` / `SUBSCRIBE` on channels named exactly as the event types.
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
    public init(
        url: RedisURL, configuration: RedisConfiguration = RedisConfiguration(),
        finalRecordRetention: Duration = Commit.defaultFinalRecordRetention,
        traceRetention: Duration = .seconds(TraceLog.retentionSeconds), logger: Logger,
        maximumBufferedMessages: Int = defaultMaximumBufferedMessages, metrics: MetricsRegistry? = nil
    ) {
        self.client = RedisClient(url: url, configuration: configuration, logger: logger)
        self.subscriber = RedisSubscriber(url: url, configuration: configuration, logger: logger)
        self.finalRecordRetention = finalRecordRetention
        self.traceRetention = traceRetention
        self.logger = logger
        self.maximumBufferedMessages = maximumBufferedMessages
        self.metrics = metrics
    }

    public func publish(_ event: CloudEvent) async throws(EventBusError) -> Int? {
        try await publish(raw: event.encoded(), on: event.type)
    }

    public func publish(raw payload: [UInt8], on channel: String) async throws(EventBusError) -> Int? {
        do {
            return try await client.send("PUBLISH", channel, payload).int
        } catch {
            throw EventBusError(error)
        }
    }

    public func consume(channels: [String], group: String, consumer: String, until shutdown: GracefulShutdown)
        -> AsyncStream<InboundMessage>
    {
        messages(channels: channels, patterns: [], subscriber: group, until: shutdown)
    }

    public func watch(pattern: String) -> AsyncStream<InboundMessage> {
        messages(channels: [], patterns: [pattern], subscriber: "watch", until: GracefulShutdown())
    }

    public func watch(channels: [String]) -> AsyncStream<InboundMessage> {
        messages(channels: channels, patterns: [], subscriber: "watch", until: GracefulShutdown())
    }

    public func acknowledge(_ message: InboundMessage, group: String) async throws(EventBusError) {}

    public func record(_ key: String) async throws(EventBusError) -> StoredRecord? {
        try await client.record(key)
    }

    public func commit(_ commit: Commit, acknowledging message: InboundMessage?, group: String)
        async throws(EventBusError) -> CommitResult
    {
        try await CommitFunction.run(commit, emission: .publish, finalRecordRetention: finalRecordRetention,
                                     traceRetention: traceRetention, on: client)
    }

    private func messages(channels: [String], patterns: [String], subscriber name: String,
                          until shutdown: GracefulShutdown) -> AsyncStream<InboundMessage>
    {
        let inbox = BoundedInbox(capacity: maximumBufferedMessages, name: name, logger: logger, metrics: metrics)
        let subscription = subscriber.start(channels: channels, patterns: patterns) { event in
            if case .message(let message) = event {
                inbox.offer(InboundMessage(channel: message.channel, payload: message.payload))
            }
        }
        inbox.onTermination { subscription.cancel() }
        shutdown.onRequest {
            subscription.cancel()
            inbox.finish()
        }
        return inbox.messages
    }
}
