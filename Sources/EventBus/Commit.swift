/// What handling one event changes, applied atomically with the events it emits.
///
/// A service's logic gets its record for the order (`StoredRecord`), decides, and returns a `Commit`.
/// The transport applies it in one atomic step (one Redis Function call on Redis) only if the record
/// still has the version it was decided on (`expected`), so two deliveries of one event, or two
/// instances racing, can never both take effect. `conditions` make a check-and-act step atomic too:
/// every condition is checked first; if all hold, `outcome` is applied, otherwise the fallback of the
/// first failing one. Only the record's fields that differ from `expected` are written.
public struct Commit: Sendable, Equatable {
    /// The service's record this commit guards, e.g. `stock:reservation:o-1`.
    public var key: String
    /// The record the decision was made on; `nil` when it did not exist.
    public var expected: StoredRecord?
    /// Checks made atomically before anything is written.
    public var conditions: [Condition]
    /// Applied when every condition holds.
    public var outcome: Outcome
    /// `fallbacks[i]` is applied when `conditions[i]` is the first that fails; one per condition.
    public var fallbacks: [Outcome]

    /// Creates a commit.
    /// - Parameters:
    ///   - key: the guarded record.
    ///   - expected: the record as read (`nil`: absent); its version is compared.
    ///   - conditions: atomic checks.
    ///   - outcome: applied when all checks hold.
    ///   - fallbacks: one per condition, applied when that one is the first to fail.
    public init(
        key: String, expected: StoredRecord?, conditions: [Condition] = [], outcome: Outcome,
        fallbacks: [Outcome] = []
    ) {
        precondition(conditions.count == fallbacks.count, "a Commit needs one fallback per condition")
        self.key = key
        self.expected = expected
        self.conditions = conditions
        self.outcome = outcome
        self.fallbacks = fallbacks
    }

    /// How long a record is kept after a final outcome unless configured otherwise (`retention.finalRecordDays`):
    /// 30 days. Events of the chain that arrive later find no record and start over.
    public static let defaultFinalRecordRetention = Duration.seconds(30 * 24 * 3600)

    /// How long a step's stored answer (`FollowUp.Kind.step`, e.g. a reservation's answer or a delivery's
    /// marker) is kept when final records are kept `finalRecordRetention`: a day longer, so that it outlives
    /// the record of every order whose events may still ask for it again.
    public static func stepAnswerRetention(
        finalRecordRetention: Duration = defaultFinalRecordRetention
    ) -> Duration {
        finalRecordRetention + .seconds(86_400)
    }

    /// The version the record must still have for the commit to apply: 0 for an absent record.
    public var expectedVersion: Int { expected?.version ?? 0 }

    /// The outcome a result chose.
    public func outcome(chosenBy fallback: Int?) -> Outcome {
        fallback.map { fallbacks[$0] } ?? outcome
    }

    /// A check of one integer field of a hash: `HGET key field` (absent is 0) must be at least `minimum`.
    public struct Condition: Sendable, Equatable {
        public var key: String
        public var field: String
        public var minimum: Int

        public init(key: String, field: String, atLeast minimum: Int) {
            self.key = key
            self.field = field
            self.minimum = minimum
        }
    }

    /// The writes and events of one branch of a commit.
    public struct Outcome: Sendable, Equatable {
        /// The record's fields after the commit; fields of the old record that are not here are removed.
        public var record: [String: String]
        /// Other keys of the service's namespace that change with it.
        public var changes: [Change]
        /// The events emitted; each is also appended to the trace log of its correlation id.
        public var events: [CloudEvent]
        /// Whether the record is final: its chain (order) is over for this service, so the transport gives
        /// the record an expiry (its final-record retention) in the same atomic step. A later commit that
        /// is not final keeps the expiry; one that is final starts it again.
        public var isFinal: Bool

        /// Creates an outcome.
        /// - Parameters:
        ///   - record: the record's fields after the commit, without the version.
        ///   - changes: writes beside the record.
        ///   - events: the events emitted.
        ///   - final: whether this is the record's last state, after which it expires (`isFinal`).
        public init(record: [String: String], changes: [Change] = [], events: [CloudEvent] = [], final: Bool = false) {
            precondition(record[StoredRecord.versionField] == nil,
                         "the field \(StoredRecord.versionField) is the record's version, not a field")
            self.record = record
            self.changes = changes
            self.events = events
            self.isFinal = final
        }
    }

    /// A write beside the record.
    public enum Change: Sendable, Equatable {
        /// Adds `amount` (may be negative) to an integer field of a hash.
        case increment(key: String, field: String, by: Int)
        /// Pushes `value` at the head of a list and keeps the newest `keep` entries (`keep` at least 1).
        case prepend(key: String, value: String, keep: Int)
        /// Deletes a key, e.g. the `vault:card:<token>` entry of a card whose charge settled.
        case delete(key: String)
        /// Starts or extends a chain's trace log (`TraceLog`) with an event received from outside, e.g. the
        /// `order.created` that begins an order, and sets the log's expiry.
        case trace(CloudEvent)
    }
}

/// What became of a commit.
public enum CommitResult: Sendable, Equatable {
    /// Applied: `outcome` when `fallback` is `nil`, else `fallbacks[fallback]`; the record now has `version`.
    case applied(fallback: Int?, version: Int)
    /// Nothing was written: the record no longer had the expected version. `current` is what it holds
    /// now (`nil`: absent), so the service can decide again without reading it.
    case conflict(current: StoredRecord?)
}
