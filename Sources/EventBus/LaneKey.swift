/// A record's key with its hash computed once, when its message is decoded: `RecordLanes` finds the record
/// in its tables (three turns per message, one or two tables each) by hashing that integer, not the key's text.
struct LaneKey: Hashable, Sendable {
    /// The record's key, e.g. `order:{p07}:o-1`.
    let text: String
    private let hash: Int

    /// Hashes `text` once.
    init(_ text: String) {
        self.text = text
        hash = text.hashValue
    }

    static func == (lhs: LaneKey, rhs: LaneKey) -> Bool {
        lhs.hash == rhs.hash && lhs.text == rhs.text
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(hash)
    }
}
