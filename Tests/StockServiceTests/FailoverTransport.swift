import EventBus
import EventBusInMemory
import Lifecycle

/// An in-memory transport whose first commit fails as one does when the Redis primary dies under it
/// (`.unavailable`), after running `failover`, which stands for what the dead primary took with it (e.g. a
/// step's write that had not reached a replica).
actor FailoverTransport: EventTransport {
    nonisolated let name = "memory-failover"
    let base: InMemoryTransport
    private var failover: (@Sendable () async -> Void)?

    init(base: InMemoryTransport, failover: @escaping @Sendable () async -> Void) {
        self.base = base
        self.failover = failover
    }

    func publish(_ event: CloudEvent) async throws(EventBusError) -> Int? {
        try await base.publish(event)
    }

    func publish(raw payload: [UInt8], on channel: String) async throws(EventBusError) -> Int? {
        try await base.publish(raw: payload, on: channel)
    }

    nonisolated func consume(channels: [String], group: String, consumer: String, until shutdown: GracefulShutdown)
        -> InboundMessages
    {
        base.consume(channels: channels, group: group, consumer: consumer, until: shutdown)
    }

    nonisolated func watch(pattern: String) -> AsyncStream<InboundMessage> {
        base.watch(pattern: pattern)
    }

    nonisolated func watch(channels: [String]) -> AsyncStream<InboundMessage> {
        base.watch(channels: channels)
    }

    func acknowledge(_ message: InboundMessage, group: String) async throws(EventBusError) {}

    func record(_ key: String) async throws(EventBusError) -> StoredRecord? {
        try await base.record(key)
    }

    func commit(_ commit: Commit, acknowledging message: InboundMessage?, group: String)
        async throws(EventBusError) -> CommitResult
    {
        if let failover {
            self.failover = nil
            await failover()
            throw EventBusError(.unavailable, "the primary went away (test)")
        }
        return try await base.commit(commit, acknowledging: message, group: group)
    }
}
