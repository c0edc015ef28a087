import Telemetry

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

    /// Commits applied once when the service starts, before it takes any message, e.g. seeding stock.
    /// A commit whose record already holds something other than `expected` is skipped, so setup never
    /// overwrites what an earlier start wrote.
    var setup: [Commit] { get }

    /// Called after a commit for `event` took effect with `outcome`, e.g. to log a delivered message.
    func applied(_ outcome: Commit.Outcome, for event: CloudEvent, logger: Logger)
}

extension EventService {
    /// No setup.
    public var setup: [Commit] { [] }

    /// Nothing to do.
    public func applied(_ outcome: Commit.Outcome, for event: CloudEvent, logger: Logger) {}

    /// `switchboard/<name>`: the `source` of the events this service emits.
    public var source: String { "switchboard/\(name)" }
}
