/// The bounded log of one chain's events (one order), kept in the broker for `switchboard trace` and
/// for replaying an order's past events to a client.
///
/// Every commit appends the events it emits to the log of their correlation id, in the same atomic step;
/// the log keeps the newest `capacity` events and expires `retentionSeconds` after its last write.
public enum TraceLog {
    /// The most events kept per chain.
    public static let capacity = 200
    /// How long a chain's log is kept after its last event: seven days.
    public static let retentionSeconds = 7 * 24 * 3600

    /// The log's key for a correlation id: `switchboard:trace:<id>`.
    public static func key(for correlationID: String) -> String {
        "switchboard:trace:\(correlationID)"
    }
}
