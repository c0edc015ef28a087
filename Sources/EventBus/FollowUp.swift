/// An effect outside the broker that a committed record asks for, e.g. a charge at a card provider, and
/// the commit that records its result.
///
/// A service that must call the outside world does it in two commits with the call between them, not
/// inside `decide` (which may run again on a conflict): `decide` commits the intent (a record that says
/// what is to be done, with the idempotency key the outside world dedupes on), then the runner asks the
/// service for the record's follow-up and runs it, and commits the result it returns on that record.
/// The handled message is acknowledged with the result, not with the intent, so a process that dies
/// between the two leaves the message to be redelivered, and the redelivery finds the intent and runs
/// the follow-up again: its effect must be idempotent (same key, same result).
public struct FollowUp: Sendable {
    /// What the effect is, for logs, e.g. `charge`.
    public var name: String
    /// Performs the effect and returns the commit of its result on the record that asked for it.
    public var perform: @Sendable () async -> Commit

    /// Creates a follow-up.
    /// - Parameters:
    ///   - name: what the effect is, for logs.
    ///   - perform: the effect; returns the commit of its result, guarded by the record that asked for it.
    public init(name: String, perform: @escaping @Sendable () async -> Commit) {
        self.name = name
        self.perform = perform
    }
}
