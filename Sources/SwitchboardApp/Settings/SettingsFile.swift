/// The JSON shape of `Config/switchboard.json`; every member is optional and overrides the default.
struct SettingsFile: Decodable {
    struct Redis: Decodable {
        /// One `redis.users.<name>` entry: the user (default `switchboard-<name>`) and exactly one of the
        /// password's file or environment variable.
        struct User: Decodable {
            var user: String?
            var passwordFile: String?
            var passwordEnv: String?
        }

        var url: String?
        var users: [String: User]?
        var connectTimeoutMilliseconds: Int?
        var commandTimeoutMilliseconds: Int?
        var sentinelPassword: String?
    }

    struct HTTP: Decodable {
        var port: Int?
        var durableAcceptMilliseconds: Int?
        var connectionLimit: Int?
        var idleTimeoutSeconds: Int?
        var maximumBodyBytes: Int?
        var maximumPendingOrders: Int?
        var maximumEventStreams: Int?
        var maximumBacklog: Int?
    }

    struct PubSub: Decodable {
        var maximumBufferedMessages: Int?
    }

    struct Log: Decodable {
        var level: String?
        var format: String?
    }

    struct DeadLetters: Decodable {
        var capacity: Int?
    }

    struct Retention: Decodable {
        var finalRecordDays: Int?
        var finalRecordSeconds: Int?
        var traceSeconds: Int?
    }

    struct Payment: Decodable {
        struct Breaker: Decodable {
            var failureThreshold: Int?
            var coolDownMilliseconds: Int?
        }

        var latencyMilliseconds: Int?
        var failureRate: Double?
        var timeoutMilliseconds: Int?
        var retries: Int?
        var breaker: Breaker?
    }

    struct Streams: Decodable {
        var batchSize: Int?
        var claimIdleMilliseconds: Int?
        var maximumDeliveries: Int?
        var maximumLength: Int?
        var consumerIdleLimitSeconds: Int?
        var partitionPollMilliseconds: Int?
    }

    var redis: Redis?
    var streams: Streams?
    var pubsub: PubSub?
    var catalog: String?
    var payment: Payment?
    var transport: String?
    var http: HTTP?
    var log: Log?
    var deadLetters: DeadLetters?
    var retention: Retention?
    var shutdownGraceSeconds: Int?
}
