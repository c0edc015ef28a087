/// What handling one event changes, applied atomically with the events it emits.
///
/// A service's logic reads its record for the order (`EventTransport.record(_:)`), decides, and returns
/// a `Commit`. The transport applies it in one atomic step (one Lua script on Redis) only if the record
/// still holds what was read (`expected`), so two deliveries of one event, or two instances racing,
/// can never both take effect. `conditions` make a check-and-act step atomic too: every condition is
/// checked first; if all hold, `outcome` is applied, otherwise the fallback of the first failing one.
public struct Commit: Sendable, Equatable {
    /// The service's record this commit guards, e.g. `stock:reservation:o-1`.
    public var key: String
    /// What the record held when it was read; `nil` when it did not exist.
    public var expected: String?
    /// Checks made atomically before anything is written.
    public var conditions: [Condition]
    /// Applied when every condition holds.
    public var outcome: Outcome
    /// `fallbacks[i]` is applied when `conditions[i]` is the first that fails; one per condition.
    public var fallbacks: [Outcome]

    /// Creates a commit.
    /// - Parameters:
    ///   - key: the guarded record.
    ///   - expected: what it held when read (`nil`: absent).
    ///   - conditions: atomic checks.
    ///   - outcome: applied when all checks hold.
    ///   - fallbacks: one per condition, applied when that one is the first to fail.
    public init(
        key: String, expected: String?, conditions: [Condition] = [], outcome: Outcome, fallbacks: [Outcome] = []
    ) {
        precondition(conditions.count == fallbacks.count, "a Commit needs one fallback per condition")
        self.key = key
        self.expected = expected
        self.conditions = conditions
        self.outcome = outcome
        self.fallbacks = fallbacks
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
        /// The record's new value.
        public var record: String
        /// Other keys of the service's namespace that change with it.
        public var changes: [Change]
        /// The events emitted; each is also appended to the trace log of its correlation id.
        public var events: [CloudEvent]

        public init(record: String, changes: [Change] = [], events: [CloudEvent] = []) {
            self.record = record
            self.changes = changes
            self.events = events
        }
    }

    /// A write beside the record.
    public enum Change: Sendable, Equatable {
        /// Adds `amount` (may be negative) to an integer field of a hash.
        case increment(key: String, field: String, by: Int)
        /// Pushes `value` at the head of a list and keeps the newest `keep` entries.
        case prepend(key: String, value: String, keep: Int)
        /// Appends `value` to a chain's trace log (`TraceLog`), e.g. an event received from outside.
        case trace(CloudEvent)
    }
}

/// What became of a commit.
public enum CommitResult: Sendable, Equatable {
    /// Applied: `outcome` when `fallback` is `nil`, else `fallbacks[fallback]`.
    case applied(fallback: Int?)
    /// Nothing was written: the record no longer held `expected`. Read it again and decide again.
    case conflict
}
