import EventBus
import Lifecycle
import RedisClient
import Telemetry

/// The durable transport: one Redis stream per event type (keyed by the type, the event's JSON in the
/// field `event`), one consumer group per service, one consumer per instance.
///
/// At-least-once: an entry is acknowledged in the same Redis Function that applies its handler's commit and
/// adds the events it causes, so effects happen once even when an entry is delivered again. Entries a
/// crashed instance left pending are claimed by another after `claimIdle`; after `maximumDeliveries`
/// the runner dead-letters them. Instances of one service share the entries of their group.
public struct RedisStreamsTransport: EventTransport {
    public let name = "streams"
    private let url: RedisURL
    private let redisConfiguration: RedisConfiguration
    private let configuration: StreamsConfiguration
    private let logger: Logger
    private let client: RedisClient
    private let finalRecordRetention: Duration
    private let traceRetention: Duration

    /// Creates the transport.
    /// - Parameters:
    ///   - url: the Redis server.
    ///   - redisConfiguration: timeouts and backoff for its connections.
    ///   - configuration: batch size, blocking, claiming, delivery limit and trimming.
    ///   - finalRecordRetention: how long a record is kept after a final commit (`Commit.Outcome.isFinal`).
    ///   - traceRetention: how long a chain's trace log is kept after it began (`TraceLog`); shorter than
    ///     the default only in tests and soak runs.
    ///   - logger: where connection and claiming events are logged.
    public init(url: RedisURL, redisConfiguration: RedisConfiguration = RedisConfiguration(),
                configuration: StreamsConfiguration = StreamsConfiguration(),
                finalRecordRetention: Duration = Commit.defaultFinalRecordRetention,
                traceRetention: Duration = .seconds(TraceLog.retentionSeconds), logger: Logger) {
        self.url = url
        self.redisConfiguration = redisConfiguration
        self.configuration = configuration
        self.finalRecordRetention = finalRecordRetention
        self.traceRetention = traceRetention
        self.logger = logger
        self.client = RedisClient(url: url, configuration: redisConfiguration, logger: logger)
    }

    public func publish(_ event: CloudEvent) async throws(EventBusError) -> Int? {
        try await publish(raw: event.encoded(), on: event.type)
    }

    public func publish(raw payload: [UInt8], on channel: String) async throws(EventBusError) -> Int? {
        do {
            let command = RedisCommand("XADD", channel, "*", StreamEntry.eventField, payload).routed(by: channel)
            _ = try await client.send(command)
            return nil
        } catch {
            throw EventBusError(error)
        }
    }

    public func consume(channels: [String], group: String, consumer: String, until shutdown: GracefulShutdown)
        -> AsyncStream<InboundMessage>
    {
        let reader = StreamGroupReader(client: blockingClient(), streams: channels, group: group, consumer: consumer,
                                       configuration: configuration, logger: logger)
        // Entries fetched but not handed out when shutdown comes stay pending, to be claimed again.
        return AsyncStream { shutdown.isRequested ? nil : await reader.next(until: shutdown) }
    }

    public func watch(pattern: String) -> AsyncStream<InboundMessage> {
        let watcher = StreamWatcher(client: blockingClient(), selection: .pattern(pattern), block: configuration.block,
                                    logger: logger)
        return AsyncStream { await watcher.next() }
    }

    public func watch(channels: [String]) -> AsyncStream<InboundMessage> {
        let watcher = StreamWatcher(client: blockingClient(), selection: .streams(channels), block: configuration.block,
                                    logger: logger)
        return AsyncStream { await watcher.next() }
    }

    public func acknowledge(_ message: InboundMessage, group: String) async throws(EventBusError) {
        guard let id = message.deliveryID else { return }
        do {
            _ = try await client.send(RedisCommand("XACK", message.channel, group, id).routed(by: message.channel))
        } catch {
            throw EventBusError(error)
        }
    }

    public func record(_ key: String) async throws(EventBusError) -> StoredRecord? {
        try await client.record(key)
    }

    public func commit(_ commit: Commit, acknowledging message: InboundMessage?, group: String)
        async throws(EventBusError) -> CommitResult
    {
        let acknowledge = message.flatMap { message in message.deliveryID.map { (message.channel, group, $0) } }
        return try await CommitFunction.run(commit, emission: .streams(acknowledge: acknowledge),
                                            finalRecordRetention: finalRecordRetention, traceRetention: traceRetention, on: client)
    }

    /// A connection of its own for blocking reads, whose command timeout outlasts `BLOCK`.
    private func blockingClient() -> RedisClient {
        var blocking = redisConfiguration
        blocking.commandTimeout = (redisConfiguration.commandTimeout ?? .seconds(5)) + configuration.block
        return RedisClient(url: url, configuration: blocking, logger: logger)
    }
}
