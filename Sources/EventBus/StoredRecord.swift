/// A service's record as the broker keeps it: flat text fields (a Redis hash) and a version.
///
/// The version is what commits compare and set: a commit applies only while the record still has the
/// version it was decided on, and every applied commit raises it by one. A record that does not exist
/// has version 0. Fields hold plain text (numbers in decimal), so a commit writes only the fields that
/// changed and nothing is decoded or encoded as a whole.
public struct StoredRecord: Sendable, Equatable {
    /// The name of the version field in the broker's hash; no record field may use it.
    public static let versionField = "v"

    /// How many commits have been applied to the record; at least 1 for a record that exists.
    public var version: Int
    /// The record's fields by name, without the version.
    public var fields: [String: String]

    /// Creates a record.
    /// - Parameters:
    ///   - version: the number of commits applied so far.
    ///   - fields: the fields by name.
    public init(version: Int, fields: [String: String]) {
        self.version = version
        self.fields = fields
    }

    /// Reads a hash as the broker returns it (`HGETALL`: names and values alternating); `nil` for an
    /// empty hash, which is a record that does not exist.
    /// - Throws: `EventBusError.rejected` when the hash has no valid version field: it is not a record.
    public init?(hash pairs: [String: String], key: String) throws(EventBusError) {
        guard !pairs.isEmpty else { return nil }
        guard let text = pairs[Self.versionField], let version = Int(text), version > 0 else {
            throw EventBusError(.rejected,
                                "the stored record \(key) has no version field \"\(Self.versionField)\": it was not "
                                    + "written by a commit (delete the key or fix it by hand)")
        }
        var fields = pairs
        fields[Self.versionField] = nil
        self.init(version: version, fields: fields)
    }

    /// What changes from `old` to this record: the fields to set (new or different) and those to delete.
    ///
    /// Both lists are sorted by name, so the same change is always written the same way. Built in place,
    /// one array each, as every commit asks for it.
    public func changes(from old: StoredRecord?) -> (set: [(name: String, value: String)], removed: [String]) {
        var set: [(name: String, value: String)] = []
        set.reserveCapacity(fields.count)
        for (name, value) in fields where old?.fields[name] != value {
            set.append((name, value))
        }
        set.sort { $0.name < $1.name }
        var removed: [String] = []
        if let old {
            for name in old.fields.keys where fields[name] == nil {
                removed.append(name)
            }
            removed.sort()
        }
        return (set, removed)
    }
}
