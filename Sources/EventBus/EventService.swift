/// A service's logic on the bus: which events it takes, which record each one concerns, and what it does.
///
/// Implementations hold no connection: `ServiceRunner` reads the record, calls `decide`, and has the
/// transport apply the returned `Commit` atomically, retrying with a fresh read when another delivery
/// changed the record first. That makes every handler idempotent and safe under concurrency as long as
/// `decide` is a function of the event and the record.
public protocol EventService: Sendable {
    /// The service's name: its consumer group, the prefix of its keys, and its events' `source`.
    var name: String { get }

    /// The event types it handles.
    var subscriptions: [String] { get }

    /// The key of the record `event` concerns, e.g. `stock:reservation:o-1`.
    /// - Throws: `CloudEventError` when the data lacks what is needed; the message is dead-lettered.
    func recordKey(for event: CloudEvent) throws(CloudEventError) -> String

    /// What `event` does, given the current value of its record; `nil` when it changes nothing
    /// (a duplicate, or an event that does not concern this service's state).
    /// - Throws: `CloudEventError` when the data is invalid; the message is dead-lettered.
    func decide(_ event: CloudEvent, record: String?) async throws(CloudEventError) -> Commit?
}

extension EventService {
    /// `switchboard/<name>`: the `source` of the events this service emits.
    public var source: String { "switchboard/\(name)" }
}
