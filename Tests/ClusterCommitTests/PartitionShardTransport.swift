import EventBus
import EventBusRedis
import Lifecycle

/// A Redis transport whose commits emit each event on its partition's share of the event type's channel
/// (`order.created{p07}`), as the partitioned transports will on a cluster, so that a commit's keys are all
/// in the order's slot and what is tested is the rest of the commit: record, changes, trace logs.
struct PartitionShardTransport: EventTransport {
    let base: RedisPubSubTransport
    var name: String { "pubsub-sharded" }

    func publish(_ event: CloudEvent) async throws(EventBusError) -> Int? {
        try await base.publish(event)
    }

    func publish(raw payload: [UInt8], on channel: String) async throws(EventBusError) -> Int? {
        try await base.publish(raw: payload, on: channel)
    }

    func consume(channels: [String], group: String, consumer: String, until shutdown: GracefulShutdown)
        -> AsyncStream<InboundMessage>
    {
        base.consume(channels: channels, group: group, consumer: consumer, until: shutdown)
    }

    func watch(pattern: String) -> AsyncStream<InboundMessage> {
        base.watch(pattern: pattern)
    }

    func watch(channels: [String]) -> AsyncStream<InboundMessage> {
        base.watch(channels: channels)
    }

    func acknowledge(_ message: InboundMessage, group: String) async throws(EventBusError) {
        try await base.acknowledge(message, group: group)
    }

    func record(_ key: String) async throws(EventBusError) -> StoredRecord? {
        try await base.record(key)
    }

    func commit(_ commit: Commit, acknowledging message: InboundMessage?, group: String)
        async throws(EventBusError) -> CommitResult
    {
        var sharded = commit
        sharded.outcome = Self.sharded(commit.outcome)
        sharded.fallbacks = commit.fallbacks.map(Self.sharded)
        return try await base.commit(sharded, acknowledging: message, group: group)
    }

    private static func sharded(_ outcome: Commit.Outcome) -> Commit.Outcome {
        var outcome = outcome
        for index in outcome.events.indices {
            let event = outcome.events[index]
            outcome.events[index].type = Partition(of: event.correlationID ?? event.id).shard(of: event.type)
        }
        return outcome
    }
}
