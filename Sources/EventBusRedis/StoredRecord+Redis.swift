import EventBus
import RedisClient

extension StoredRecord {
    /// Reads a record from an `HGETALL` reply: names and values alternating; `nil` for an empty hash.
    /// - Throws: `EventBusError.rejected` when the reply is not a hash or the hash is not a record.
    public init?(hash reply: RedisReply, key: String) throws(EventBusError) {
        guard let flat = reply.array, flat.count % 2 == 0 else {
            throw EventBusError(.rejected, "the record \(key) is not a hash (Redis answered \(reply))")
        }
        var pairs: [String: String] = [:]
        pairs.reserveCapacity(flat.count / 2)
        for index in stride(from: 0, to: flat.count, by: 2) {
            if let name = flat[index].string, let value = flat[index + 1].string { pairs[name] = value }
        }
        try self.init(hash: pairs, key: key)
    }
}
