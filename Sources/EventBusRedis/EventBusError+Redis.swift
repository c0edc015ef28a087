import EventBus
import RedisClient

extension EventBusError {
    /// A bus error for a Redis failure: `.unavailable` when the server cannot be reached, else `.rejected`.
    init(_ error: RedisError) {
        self.init(error.isConnectionProblem ? .unavailable : .rejected, error.message)
    }
}

extension RedisClient {
    /// A service record's value (`GET`), as both Redis transports read it; `nil` when absent.
    func record(_ key: String) async throws(EventBusError) -> String? {
        do {
            return try await send("GET", key).string
        } catch {
            throw EventBusError(error)
        }
    }
}
