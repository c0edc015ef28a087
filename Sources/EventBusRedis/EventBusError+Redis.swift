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

extension EventBusError {
    /// Runs `body`, throwing a Redis failure as the bus error it stands for (`init(_:)`).
    public static func mapping<Value>(
        _ body: () async throws(RedisError) -> Value
    ) async throws(EventBusError) -> Value {
        do {
            return try await body()
        } catch {
            throw EventBusError(error)
        }
    }
}
