import Lifecycle

/// Moves events between services and keeps their state, on a broker (Redis) or in memory.
///
/// The same service code runs on every transport; which one is a configuration choice.
public protocol EventTransport: Sendable {
    /// The transport's name in settings and logs: `pubsub`, `streams`, `memory`.
    var name: String { get }

    /// Publishes an event on the channel named by its type.
    /// - Returns: how many subscribers received it, where the transport knows (pub/sub); `nil` otherwise.
    func publish(_ event: CloudEvent) async throws(EventBusError) -> Int?

    /// Publishes bytes as they are on a channel, e.g. a dead letter being replayed.
    func publish(raw payload: [UInt8], on channel: String) async throws(EventBusError) -> Int?

    /// The messages on `channels` for the service `group`.
    ///
    /// On pub/sub every subscriber gets every message; on streams the instances of one group share them.
    /// The stream runs until its consumer stops iterating or `shutdown` is requested; lost connections
    /// are restored underneath.
    /// - Parameters:
    ///   - channels: the event types to receive.
    ///   - group: the service's name.
    ///   - consumer: this instance's name within the group.
    ///   - shutdown: ends the stream when requested, leaving undelivered messages to the broker.
    func consume(channels: [String], group: String, consumer: String, until shutdown: GracefulShutdown)
        -> InboundMessages

    /// Every message on channels matching a glob `pattern`, without taking them from anyone (`tail`).
    func watch(pattern: String) -> AsyncStream<InboundMessage>

    /// Every message on the named channels, without taking them from anyone: cheaper than a pattern
    /// for a listener that needs a few event types (the ingress waiting for final events).
    func watch(channels: [String]) -> AsyncStream<InboundMessage>

    /// Marks a message as handled without a commit (a message that was dead-lettered or ignored).
    func acknowledge(_ message: InboundMessage, group: String) async throws(EventBusError)

    /// Reads a service's record; `nil` when it does not exist.
    func record(_ key: String) async throws(EventBusError) -> StoredRecord?

    /// Applies a commit atomically, emitting its events and acknowledging `message` in the same step.
    func commit(_ commit: Commit, acknowledging message: InboundMessage?, group: String)
        async throws(EventBusError) -> CommitResult
}

extension EventTransport {
    /// The messages on `channels` for the service `group`, until the consumer stops iterating.
    public func consume(channels: [String], group: String, consumer: String) -> InboundMessages {
        consume(channels: channels, group: group, consumer: consumer, until: GracefulShutdown())
    }
}
