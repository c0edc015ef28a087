#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import EventBus
import EventBusRedis
import RedisClient
import SagaEvents
import Resilience
import Telemetry

/// The parts a `switchboard` process is built from, made from its `Settings`.
///
/// Commands and tests build the same thing through `Application(settings:)`, so what a test runs is
/// what the executable runs.
public struct Application: Sendable {
    /// The resolved settings.
    public let settings: Settings
    /// The Redis server, logged in as the admin user when `redis.users.admin` is configured: what the
    /// one-shot commands (`publish`, `tail`, `dlq`, `health`, …) use.
    public let redisURL: RedisURL
    /// The URL of each configured `redis.users` entry, with its password.
    private let userURLs: [String: RedisURL]
    /// The root logger.
    public let logger: Logger
    /// Timeouts and backoff for every Redis connection, and the event loop driving those made from now on.
    public private(set) var redisConfiguration: RedisConfiguration
    /// How one-shot commands (`publish`, `tail`) reach the bus; each service gets its own `makeTransport()`.
    public let transport: any EventTransport
    /// Where unprocessable messages go.
    public let deadLetters: any DeadLetterStore
    /// The process's metrics, rendered by `GET /metrics`.
    public let metrics = MetricsRegistry()
    /// When the process started.
    public let startedAt = Date()

    /// Builds the application.
    /// - Parameters:
    ///   - settings: the resolved settings.
    ///   - environment: where `redis.users` passwords given by variable are read.
    /// - Throws: `CommandFailure` with exit code 78 when the Redis URL is invalid or a configured password
    ///   cannot be read.
    public init(
        settings: Settings, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(CommandFailure) {
        self.settings = settings
        let base: RedisURL
        do {
            var url = try RedisURL(settings.redisURL)
            if !settings.redisSentinelPassword.isEmpty {
                url.sentinels?.password = settings.redisSentinelPassword
            }
            base = url
        } catch {
            throw CommandFailure(.configuration, error.message)
        }
        var userURLs: [String: RedisURL] = [:]
        for (name, credential) in settings.redisUsers {
            var url = base
            url.username = credential.user
            url.password = try credential.resolvePassword(environment: environment)
            userURLs[name] = url
        }
        self.userURLs = userURLs
        self.redisURL = userURLs["admin"] ?? base
        self.logger = Logger(label: "switchboard", logLevel: settings.logLevel,
                             sink: .standardError(format: settings.logFormat))
        self.redisConfiguration = RedisConfiguration(
            connectTimeout: .milliseconds(settings.connectTimeoutMilliseconds),
            commandTimeout: .milliseconds(settings.commandTimeoutMilliseconds)
        )
        self.transport = Self.makeTransport(settings, url: redisURL, configuration: redisConfiguration, logger: logger,
                                            trimmed: EventTypes.all, metrics: nil)
        let client = RedisClient(url: redisURL, configuration: redisConfiguration, logger: logger)
        self.deadLetters = RedisDeadLetterStore(client: client, capacity: settings.deadLetterCapacity)
    }

    /// This process's instance name: `--instance`, else `<host>-<pid>`.
    public var instanceName: String {
        settings.instance ?? "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
    }

    /// The URL `name` (a service, or nil for the admin tasks) connects with: its `redis.users` entry's user
    /// and password when configured, else `redisURL`.
    public func redisURL(for name: String?) -> RedisURL {
        name.flatMap { userURLs[$0] } ?? redisURL
    }

    /// A transport with its own connections, so each service's commits do not queue behind another's.
    /// - Parameter name: the service it is for: its Redis user, and on streams the types it trims (those it
    ///   emits, besides those it consumes); nil: the admin user, trimming every type.
    public func makeTransport(for name: String? = nil) -> any EventTransport {
        let trimmed = AccessPolicy.services.first { $0.name == name }?.emits ?? EventTypes.all
        return Self.makeTransport(settings, url: redisURL(for: name), configuration: redisConfiguration, logger: logger,
                                  trimmed: trimmed, metrics: metrics)
    }

    /// Where the service `name` dead-letters, through its own Redis user; `deadLetters` for nil.
    public func deadLetters(for name: String?) -> any DeadLetterStore {
        guard let name, let url = userURLs[name] else { return deadLetters }
        return RedisDeadLetterStore(client: RedisClient(url: url, configuration: redisConfiguration, logger: logger),
                                    capacity: settings.deadLetterCapacity)
    }

    private static func makeTransport(
        _ settings: Settings, url: RedisURL, configuration: RedisConfiguration, logger: Logger, trimmed: [String],
        metrics: MetricsRegistry?
    ) -> any EventTransport {
        let retention = settings.finalRecordRetention
        let traceRetention = Duration.seconds(settings.traceRetentionSeconds ?? TraceLog.retentionSeconds)
        switch settings.transport {
        case .pubsub:
            return RedisPubSubTransport(
                url: url, configuration: configuration, finalRecordRetention: retention,
                traceRetention: traceRetention, logger: logger,
                maximumBufferedMessages: settings.pubsubMaximumBufferedMessages, metrics: metrics,
                knownChannels: EventTypes.all
            )
        case .streams:
            let streams = StreamsConfiguration(
                batchSize: settings.streamsBatchSize, claimIdle: .milliseconds(settings.streamsClaimIdleMilliseconds),
                maximumDeliveries: settings.streamsMaximumDeliveries, maximumLength: settings.streamsMaximumLength,
                trimmedStreams: trimmed, consumerIdleLimit: .seconds(settings.streamsConsumerIdleLimitSeconds),
                partitionPollInterval: .milliseconds(settings.streamsPartitionPollMilliseconds)
            )
            return RedisStreamsTransport(url: url, redisConfiguration: configuration, configuration: streams,
                                         finalRecordRetention: retention, traceRetention: traceRetention,
                                         logger: logger)
        }
    }

    /// The same application, whose Redis connections made from now on are driven by `loop`: each service
    /// `switchboard run` runs gets one of `RedisEventLoop.perCore` this way.
    public func driven(by loop: RedisEventLoop) -> Application {
        var application = self
        application.redisConfiguration.eventLoop = loop
        return application
    }

    /// A new Redis client with the application's URL and timeouts.
    /// - Parameters:
    ///   - name: the service whose Redis user it logs in as; nil for the admin tasks' `redisURL`.
    ///   - logger: where its connection changes are logged; the application's by default.
    public func makeRedisClient(for name: String? = nil, logger: Logger? = nil) -> RedisClient {
        RedisClient(url: redisURL(for: name), configuration: redisConfiguration, logger: logger ?? self.logger)
    }

    /// Checks that Redis answers `PING`, quietly: the failure is the caller's one line to print.
    /// - Throws: `CommandFailure` with exit code 69 saying why it does not.
    public func requireBroker() async throws(CommandFailure) {
        do {
            _ = try await makeRedisClient(logger: .disabled).send("PING")
        } catch {
            throw CommandFailure(.unavailable, error.message)
        }
    }
}
