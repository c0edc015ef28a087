import EventBus
import RedisClient

extension EventBusError {
    /// A bus error for a Redis failure: `.unavailable` when the server cannot be reached, else `.rejected`.
    init(_ error: RedisError) {
        self.init(error.isConnectionProblem ? .unavailable : .rejected, error.message)
    }
}
