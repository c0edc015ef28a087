/// A step outside the record's own atomic commit that the record and the event ask for, and the commit that
/// records its result.
///
/// Two kinds, run the same way:
/// - **after an intent** (`Kind.intent`): an effect outside the broker, e.g. a charge at a card provider,
///   done in two commits with the call between them, not inside `decide` (which may run again on a
///   conflict): `decide` commits the intent (a record that says what is to be done, with the idempotency
///   key the outside world dedupes on), then the runner asks the service for the record's follow-up, runs
///   it, and commits the result it returns on that record;
/// - **before the commit** (`Kind.step`): a step in another part of the broker (another Redis Cluster slot,
///   e.g. the stock counters' `{stock}` slot), which the event asks for. `decide` returns `nil`; the runner
///   runs the step on the record as it last knew it (possibly absent, possibly stale: it is not read first)
///   and commits the result on that record's version. A step must therefore keep the order's state on its
///   own side and answer from it (the stock counters store each order's answer): run for a stale record,
///   it moves nothing, its commit conflicts, and the service decides again on the record the broker holds.
///   When the commit cannot be made (the primary went away, possibly taking the step's write with it), the
///   runner runs the step again before each new try.
///
/// The handled message is acknowledged with the result, so a process that dies between the step and the
/// commit leaves the message to be redelivered, and the redelivery runs the step again: its effect must be
/// idempotent (same key, same result), e.g. a Redis Function that stores its answer by order id.
public struct FollowUp: Sendable {
    /// Why the follow-up runs.
    public enum Kind: Sendable, Equatable {
        /// A committed intent asks for it (payment's charge); found on a record read back only after a crash or
        /// when another instance committed the intent.
        case intent
        /// The event asks for it before its commit (stock's reservation in the counters' slot).
        case step
    }

    /// What the effect is, for logs, e.g. `charge`.
    public var name: String
    /// Why it runs.
    public var kind: Kind
    /// Performs the effect and returns the commit of its result on the record that asked for it.
    /// It throws `EventBusError` when the broker is unavailable (the runner runs it again with backoff) or
    /// refuses (the message is left pending or dead-lettered, as for a refused commit).
    public var perform: @Sendable () async throws(EventBusError) -> Commit

    /// Creates a follow-up.
    /// - Parameters:
    ///   - name: what the effect is, for logs.
    ///   - kind: after an intent (the default) or a step before the commit.
    ///   - perform: the effect; returns the commit of its result, guarded by the record that asked for it.
    public init(name: String, kind: Kind = .intent, perform: @escaping @Sendable () async throws(EventBusError) -> Commit) {
        self.name = name
        self.kind = kind
        self.perform = perform
    }
}
