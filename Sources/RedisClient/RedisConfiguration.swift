import Resilience
/// How a Redis connection behaves: timeouts, reconnect backoff, and the event loop that drives it.
public struct RedisConfiguration: Sendable {
    /// How long connecting may take.
    public var connectTimeout: Duration
    /// How long one command may wait for its reply; `nil` waits for ever (subscribers).
    public var commandTimeout: Duration?
    /// How reconnect attempts are spaced after a failure.
    public var backoff: Backoff
    /// On a Redis Cluster, how long a command keeps being tried again while its slot cannot be served
    /// (`TRYAGAIN`, `CLUSTERDOWN`, its primary unreachable until a replica is promoted) before it fails.
    public var clusterRetryTimeout: Duration
    /// The loop that drives the connection and resumes its callers: `RedisEventLoop.shared` unless the
    /// process spreads its connections over its cores (`RedisEventLoop.perCore`).
    public var eventLoop: RedisEventLoop

    /// Creates a configuration.
    /// - Parameters:
    ///   - connectTimeout: how long connecting may take.
    ///   - commandTimeout: how long a command may wait for its reply.
    ///   - backoff: how reconnect attempts are spaced.
    ///   - clusterRetryTimeout: on a Redis Cluster, how long a command is retried while its slot is not served.
    ///   - eventLoop: the loop that drives the connection.
    public init(
        connectTimeout: Duration = .seconds(2),
        commandTimeout: Duration? = .seconds(5),
        backoff: Backoff = Backoff(),
        clusterRetryTimeout: Duration = .seconds(15),
        eventLoop: RedisEventLoop = .shared
    ) {
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.backoff = backoff
        self.clusterRetryTimeout = clusterRetryTimeout
        self.eventLoop = eventLoop
    }
}
