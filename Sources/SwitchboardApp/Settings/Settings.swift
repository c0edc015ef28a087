import EventBusRedis
import Ingress
import Telemetry

/// Everything a `switchboard` process is configured with.
///
/// Resolved in this order, later winning: the built-in defaults below, the settings file, environment
/// variables, command-line flags (see `SettingsLoader`). `Config/switchboard.json` spells out the same
/// defaults (a test keeps the two equal).
public struct Settings: Sendable, Equatable {
    /// The transports a process can use.
    public enum Transport: String, Sendable, Equatable, CaseIterable {
        case pubsub, streams
    }

    /// The Redis URL, e.g. `redis://127.0.0.1:6379`, `unix:///run/redis.sock` or
    /// `redis+sentinel://host1:26379,host2:26379/primary-name`.
    public var redisURL = "redis://127.0.0.1:6379"
    /// The Redis Sentinels' own password (`requirepass` of `redis-sentinel`), for `redis+sentinel://` URLs;
    /// empty for none.
    public var redisSentinelPassword = ""
    /// The Redis user of each service and of the admin tasks (`admin`), by name; empty: every connection
    /// uses `redisURL` as it is (see `AccessPolicy`).
    public var redisUsers: [String: RedisCredential] = [:]
    /// How long connecting to Redis may take, in milliseconds.
    public var connectTimeoutMilliseconds = 2000
    /// How long one Redis command may wait for its reply, in milliseconds.
    public var commandTimeoutMilliseconds = 5000
    /// How services exchange events.
    public var transport = Transport.pubsub
    /// The HTTP ingress port.
    public var httpPort = 8080
    /// How long the ingress waits for an accepted order to reach a replica (`WAIT 1 <ms>`) before it answers
    /// 202/200, in milliseconds; it answers 503 when no replica confirmed in time. 0 answers without waiting.
    public var durableAcceptMilliseconds = 0
    /// The most HTTP connections open at once.
    public var httpConnectionLimit = 4096
    /// Seconds an HTTP connection may stay idle before it is closed.
    public var httpIdleTimeoutSeconds = 10
    /// The largest request body accepted, in bytes.
    public var httpMaximumBodyBytes = 64 * 1024
    /// Orders the ingress accepted and has not seen end, beyond which `POST /orders` answers `503`
    /// (`OverloadLimits.maximumPendingOrders`).
    public var httpMaximumPendingOrders = OverloadLimits().maximumPendingOrders
    /// Open `GET /orders/{id}/events` streams, beyond which new ones answer `503`.
    public var httpMaximumEventStreams = OverloadLimits().maximumEventStreams
    /// On streams: the services' backlog (stream entries not read or not acknowledged) beyond which
    /// `POST /orders` answers `503`.
    public var httpMaximumBacklog = OverloadLimits().maximumBacklog
    /// On pub/sub: messages one subscription holds for its consumer; beyond, new messages are dropped and
    /// counted (`RedisPubSubTransport`).
    public var pubsubMaximumBufferedMessages = RedisPubSubTransport.defaultMaximumBufferedMessages
    /// Seconds work in flight may take to finish after SIGINT or SIGTERM.
    public var shutdownGraceSeconds = 5
    /// The lowest log level written.
    public var logLevel = Logger.Level.info
    /// The log line format.
    public var logFormat = LogSink.Format.logfmt
    /// About how many dead letters are kept.
    public var deadLetterCapacity = 10_000
    /// How many days each service keeps its record of an order once the order is final for it (confirmed,
    /// cancelled, paid, sent); the record's expiry is set by the commit that makes it final.
    public var finalRecordRetentionDays = 30
    /// For tests and soak runs only: seconds final records are kept, instead of `finalRecordRetentionDays`.
    public var finalRecordRetentionSeconds: Int?
    /// How long final records are kept: `finalRecordRetentionSeconds`, else `finalRecordRetentionDays`.
    public var finalRecordRetention: Duration {
        .seconds(finalRecordRetentionSeconds ?? finalRecordRetentionDays * 24 * 3600)
    }
    /// For tests and soak runs only: seconds a chain's trace log is kept instead of seven days (the logs the
    /// commits start; the ingress's accept keeps seven days).
    public var traceRetentionSeconds: Int?
    /// The catalog file of the stock service and the ingress; nil for the built-in catalog (`Config/catalog.json`).
    public var catalogPath: String?
    /// This process's instance name within each service's group; `<host>-<pid>` when not set.
    public var instance: String?
    /// Stream entries fetched per read.
    public var streamsBatchSize = 100
    /// How long a stream entry may stay pending with a consumer before another claims it, in milliseconds.
    public var streamsClaimIdleMilliseconds = 30_000
    /// Deliveries after which a stream entry is dead-lettered.
    public var streamsMaximumDeliveries = 5
    /// About how many entries each stream keeps (pending entries are never trimmed).
    public var streamsMaximumLength = 100_000
    /// Seconds a stream consumer may stay idle with nothing pending before it is removed from its group.
    public var streamsConsumerIdleLimitSeconds = 3600
    /// On a Redis Cluster, the longest wait in milliseconds between two rounds of partition reads that found
    /// nothing: the latency added after a quiet spell, against the reads an idle consumer makes.
    public var streamsPartitionPollMilliseconds = 100
    /// How long each simulated card charge takes, in milliseconds.
    public var paymentLatencyMilliseconds = 0
    /// The share of simulated card charges that fail as if the provider were down, from 0 to 1.
    public var paymentFailureRate = 0.0
    /// How long one call to the card provider may take, in milliseconds.
    public var paymentTimeoutMilliseconds = 2000
    /// Attempts at the card provider after a failed first one.
    public var paymentRetries = 2
    /// Consecutive provider failures that open the circuit breaker.
    public var breakerFailureThreshold = 5
    /// How long the open breaker fails calls fast before a trial, in milliseconds.
    public var breakerCoolDownMilliseconds = 5000

    /// The built-in defaults.
    public init() {}
}
