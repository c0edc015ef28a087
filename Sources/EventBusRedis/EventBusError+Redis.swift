import EventBus
import RedisClient

extension EventBusError {
    /// A bus error for a Redis failure: `.unavailable` when the server cannot be reached, else `.rejected`.
    public init(_ error: RedisError) {
        self.init(error.isTransient ? .unavailable : .rejected, error.message)
    }
}

extension RedisClient {
    /// A service record (`HGETALL`), as both Redis transports read it; `nil` when absent.
    func record(_ key: String) async throws(EventBusError) -> StoredRecord? {
        let reply: RedisReply
        do {
            reply = try await send(RedisCommand("HGETALL", key).routed(by: key))
        } catch {
            throw EventBusError(error)
        }
        return try StoredRecord(hash: reply, key: key)
    }
}
