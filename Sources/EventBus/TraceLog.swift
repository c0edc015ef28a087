import JSONBytes

/// The bounded log of one chain's events (one order), kept in the broker for `switchboard trace` and
/// for replaying an order's past events to a client.
///
/// On Redis it is a stream, `switchboard:trace:{p07}:<correlation id>` (in the chain's `Partition`), with
/// each event's JSON in the field
/// `event`: every commit appends the events it emits in the same atomic step, with one
/// `XADD … MAXLEN ~ capacity`. The log expires `retentionSeconds` after the chain began: the step that
/// logs a chain's first event (`Commit.Change.trace`, the ingress's accept) sets the expiry, and
/// appending keeps it: an append to a log that exists is one `XADD … NOMKSTREAM` and leaves its expiry, an
/// append that creates the log sets it, so a log whose first entry was an ordinary event (its chain's
/// first event lost, or logged later) expires `retentionSeconds` after that entry. Events from outside are logged with card numbers masked (`entry(for:)`); the events
/// the services emit carry none.
public enum TraceLog {
    /// The fewest events kept per chain (Redis trims to about this many, never fewer).
    public static let capacity = 200
    /// How long a chain's log is kept after it began: seven days.
    public static let retentionSeconds = 7 * 24 * 3600
    /// The stream field that holds each event's JSON.
    public static let eventField = "event"

    /// What the log keeps of `event`: its JSON with card numbers masked (`CardNumberMask`), so a card number
    /// that came in an event from outside (a `redis-cli PUBLISH`) is not kept for the log's seven days.
    public static func entry(for event: CloudEvent) -> [UInt8] {
        CardNumberMask.masked(event.encoded())
    }

    /// The prefix of every log's key; `keyPrefix + "*"` matches them all.
    public static let keyPrefix = "switchboard:trace:"

    /// The log's key for a correlation id: `switchboard:trace:{p07}:<id>`, in the chain's `Partition`.
    public static func key(for correlationID: String) -> String {
        "\(keyPrefix)\(Partition.tag(of: correlationID)):\(correlationID)"
    }

    /// A chain's events as read from its log, in causal order: each event after the event that caused
    /// it, otherwise in log order, each event once.
    ///
    /// Services append to the log as they commit, so two services can log in either order (the order
    /// service may log the `order.created` it handled after the stock service logged the
    /// `stock.reserved` it caused); the causation ids put them right.
    public static func causalOrder(_ logged: [CloudEvent]) -> [CloudEvent] {
        var seen = Set<String>()
        let events = logged.filter { seen.insert($0.id).inserted }
        let position = Dictionary(uniqueKeysWithValues: events.enumerated().map { ($1.id, $0) })
        var depths: [String: Int] = [:]
        func depth(of event: CloudEvent, visiting: Set<String> = []) -> Int {
            if let known = depths[event.id] { return known }
            guard let causeID = event.causationID, let index = position[causeID], !visiting.contains(event.id) else {
                return 0
            }
            let result = depth(of: events[index], visiting: visiting.union([event.id])) + 1
            depths[event.id] = result
            return result
        }
        return events.enumerated()
            .map { (depth: depth(of: $1), index: $0, event: $1) }
            .sorted { ($0.depth, $0.index) < ($1.depth, $1.index) }
            .map(\.event)
    }
}
