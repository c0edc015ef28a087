/// One stream entry as `XRANGE`, `XREAD`, `XREADGROUP` and `XAUTOCLAIM` return it: `[id, [field, value, …]]`.
public struct RedisStreamEntry: Sendable, Equatable {
    /// The entry's id, `<milliseconds>-<sequence>`.
    public var id: String
    /// Its fields by name; a field named twice keeps its last value.
    public var fields: [String: [UInt8]]

    /// Creates an entry.
    /// - Parameters:
    ///   - id: the entry id.
    ///   - fields: the fields by name.
    public init(id: String, fields: [String: [UInt8]]) {
        self.id = id
        self.fields = fields
    }

    /// Reads one entry; `nil` for a deleted one (`[id, nil]`, which `XAUTOCLAIM` and `XREADGROUP` may
    /// answer) or a reply of another shape.
    public init?(_ reply: RedisReply) {
        guard let parts = reply.array, parts.count == 2, let id = parts[0].string, let flat = parts[1].array else {
            return nil
        }
        var fields: [String: [UInt8]] = [:]
        for index in stride(from: 0, to: flat.count - 1, by: 2) {
            if let name = flat[index].string, let value = flat[index + 1].bytes { fields[name] = value }
        }
        self.init(id: id, fields: fields)
    }

    /// The entries of a list of them, `[[id, [field, value, …]], …]` (`XRANGE`), oldest first; deleted
    /// entries are skipped.
    public static func entries(in reply: RedisReply) -> [RedisStreamEntry] {
        (reply.array ?? []).compactMap(RedisStreamEntry.init)
    }
}
