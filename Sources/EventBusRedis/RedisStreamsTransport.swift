import EventBus
import Lifecycle
import RedisClient
import Telemetry

/// The durable transport: one Redis stream per event type (keyed by the type, the event's JSON in the
/// field `event`), one consumer group per service, one consumer per instance. On a Redis Cluster each type
/// is one stream per partition (`ChannelLayout`), read by every consumer (`StreamGroupReader`).
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
    private let layout: ChannelLayout

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
        self.layout = ChannelLayout(url: url)
    }

    public func publish(_ event: CloudEvent) async throws(EventBusError) -> Int? {
        try await append(event.encoded(), to: layout.channel(of: event))
    }

    /// Appends `payload` to the stream of `channel`; on a cluster, to the partition stream of the event's
    /// order (`ChannelLayout.partition(of:)`), or of the payload's bytes when it is not an event.
    public func publish(raw payload: [UInt8], on channel: String) async throws(EventBusError) -> Int? {
        guard layout.isPartitioned else { return try await append(payload, to: channel) }
        let partition = ChannelLayout.partition(ofPayload: payload, on: channel)
        return try await append(payload, to: layout.channel(of: channel, in: partition))
    }

    private func append(_ payload: [UInt8], to stream: String) async throws(EventBusError) -> Int? {
        do {
            let command = RedisCommand("XADD", stream, "*", StreamEntry.eventField, payload).routed(by: stream)
            _ = try await client.send(command)
            return nil
        } catch {
            throw EventBusError(error)
        }
    }

    public func consume(channels: [String], group: String, consumer: String, until shutdown: GracefulShutdown)
        -> InboundMessages
    {
        let reader = StreamGroupReader(client: blockingClient(), types: channels, layout: layout, group: group,
                                       consumer: consumer, configuration: configuration, logger: logger)
        // Entries fetched but not handed out when shutdown comes stay pending, to be claimed again.
        return InboundMessages(AsyncStream { shutdown.isRequested ? nil : await reader.next(until: shutdown) })
    }

    public func watch(pattern: String) -> AsyncStream<InboundMessage> {
        let watcher = StreamWatcher(client: blockingClient(), selection: .pattern(pattern), layout: layout,
                                    configuration: configuration, logger: logger)
        return AsyncStream { await watcher.next() }
    }

    public func watch(channels: [String]) -> AsyncStream<InboundMessage> {
        let watcher = StreamWatcher(client: blockingClient(), selection: .streams(channels), layout: layout,
                                    configuration: configuration, logger: logger)
        return AsyncStream { await watcher.next() }
    }

    public func acknowledge(_ message: InboundMessage, group: String) async throws(EventBusError) {
        guard let id = message.deliveryID else { return }
        let stream = message.stream ?? message.channel
        do {
            _ = try await client.send(RedisCommand("XACK", stream, group, id).routed(by: stream))
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
        let acknowledge = message.flatMap { message in
            message.deliveryID.map { (message.stream ?? message.channel, group, $0) }
        }
        guard let acknowledge, layout.isPartitioned,
              Partition(taggedKey: acknowledge.0) != Partition(taggedKey: commit.key) else {
            return try await CommitFunction.run(commit, emission: .streams(acknowledge: acknowledge), layout: layout,
                                                finalRecordRetention: finalRecordRetention,
                                                traceRetention: traceRetention, on: client)
        }
        // An entry in another partition than the record (published for another order than the record's) cannot
        // be acknowledged in the commit's slot: it is acknowledged right after, and a redelivery in between
        // finds the record committed (a version conflict), as after any crash before an acknowledgement.
        let result = try await CommitFunction.run(commit, emission: .streams(acknowledge: nil), layout: layout,
                                                  finalRecordRetention: finalRecordRetention,
                                                  traceRetention: traceRetention, on: client)
        if case .applied = result, let message { try await self.acknowledge(message, group: group) }
        return result
    }

    /// A connection of its own for blocking reads, whose command timeout outlasts `BLOCK`.
    private func blockingClient() -> RedisClient {
        var blocking = redisConfiguration
        blocking.commandTimeout = (redisConfiguration.commandTimeout ?? .seconds(5)) + configuration.block
        return RedisClient(url: url, configuration: blocking, logger: logger)
    }
}
