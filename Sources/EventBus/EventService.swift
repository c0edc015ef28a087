import Telemetry

/// A service's logic on the bus: which events it takes, which record each one concerns, and what it does.
///
/// Implementations hold no connection: `ServiceRunner` finds the record, reads it once as the service's
/// `Record` (a stored record that is not one is dead-lettered as `unreadable_record`), calls `decide`, and
/// has the transport apply the returned `Commit` atomically, deciding again on the record the broker holds
/// when another delivery changed it first. That makes every handler idempotent and safe under concurrency as
/// long as `decide` is a function of the event and the record.
///
/// The record `decide` gets is the runner's last known version of it, which the broker has the final
/// word on: it may be stale (another instance committed since, or the runner has not seen the record
/// yet and assumes it absent), and then the commit conflicts and `decide` is called again with what the
/// broker holds. Effects must therefore happen through the returned `Commit` only, or, for an effect
/// outside the broker (a charge at a card provider) or in another slot (the stock counters), through a `FollowUp`.
public protocol EventService: Sendable {
    /// The service's record of one order, read from its stored fields by the runner before `decide` and
    /// `followUp` see it.
    associatedtype Record: EventBus.Record

    /// The service's name: its consumer group, the prefix of its keys, and its events' `source`.
    var name: String { get }

    /// The event types it handles.
    var subscriptions: [String] { get }

    /// The key of the record `event` concerns, e.g. `stock:reservation:o-1`.
    /// - Throws: `CloudEventError` when the data lacks what is needed; the message is dead-lettered.
    func recordKey(for event: CloudEvent) throws(CloudEventError) -> String

    /// What `event` does, given the current value of its record (`nil`: absent); `nil` when it changes nothing
    /// (a duplicate, or an event that does not concern this service's state). A commit of the record names
    /// `record?.stored` as its `expected` record.
    /// - Throws: `CloudEventError` when the data is invalid; the message is dead-lettered. Nothing else (the
    ///   runner has read the record: one that cannot be read never gets here).
    func decide(_ event: CloudEvent, record: VersionedRecord<Record>?) async throws -> Commit?

    /// Commits applied once when the service starts, before it takes any message, e.g. seeding stock.
    /// A commit whose record does not have the expected version is skipped, so setup never overwrites
    /// what an earlier start wrote.
    var setup: [Commit] { get }

    /// Called after a commit for `event` took effect with `outcome`, e.g. to log a delivered message.
    func applied(_ outcome: Commit.Outcome, for event: CloudEvent, logger: Logger)

    /// The step `record` (`nil`: absent) and `event` ask for (`FollowUp`): an effect outside the broker that a
    /// committed intent asks for, or a step in another slot the event takes before its commit; `nil` when
    /// there is none. It must not perform anything itself: the runner calls it on the record a commit would
    /// leave, to know whether to acknowledge the message with that commit (not when a follow-up is to
    /// come), and, when `decide` returned `nil`, on the record the broker confirmed, to run the follow-up
    /// and commit its result.
    /// - Throws: `CloudEventError` when the event's data is invalid; the message is dead-lettered.
    func followUp(after record: VersionedRecord<Record>?, for event: CloudEvent) throws -> FollowUp?
}

extension EventService {
    /// No setup.
    public var setup: [Commit] { [] }

    /// Nothing to do.
    public func applied(_ outcome: Commit.Outcome, for event: CloudEvent, logger: Logger) {}

    /// No effect outside the broker.
    public func followUp(after record: VersionedRecord<Record>?, for event: CloudEvent) throws -> FollowUp? {
        nil
    }

    /// `switchboard/<name>`: the `source` of the events this service emits.
    public var source: String { "switchboard/\(name)" }
}
