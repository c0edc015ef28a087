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
    /// The Redis server.
    public let redisURL: RedisURL
    /// The root logger.
    public let logger: Logger
    /// Timeouts and backoff for every Redis connection.
    public let redisConfiguration: RedisConfiguration
    /// How one-shot commands (`publish`, `tail`) reach the bus; each service gets its own `makeTransport()`.
    public let transport: any EventTransport
    /// Where unprocessable messages go.
    public let deadLetters: any DeadLetterStore
    /// The process's metrics, rendered by `GET /metrics`.
    public let metrics = MetricsRegistry()
    /// When the process started.
    public let startedAt = Date()

    /// Builds the application.
    /// - Throws: `CommandFailure` with exit code 78 when the Redis URL is invalid.
    public init(settings: Settings) throws(CommandFailure) {
        self.settings = settings
        do {
            var url = try RedisURL(settings.redisURL)
            if !settings.redisSentinelPassword.isEmpty {
                url.sentinels?.password = settings.redisSentinelPassword
            }
            self.redisURL = url
        } catch {
            throw CommandFailure(.configuration, error.message)
        }
        self.logger = Logger(label: "switchboard", logLevel: settings.logLevel,
                             sink: .standardError(format: settings.logFormat))
        self.redisConfiguration = RedisConfiguration(
            connectTimeout: .milliseconds(settings.connectTimeoutMilliseconds),
            commandTimeout: .milliseconds(settings.commandTimeoutMilliseconds)
        )
        self.transport = Self.makeTransport(settings, url: redisURL, configuration: redisConfiguration, logger: logger)
        let client = RedisClient(url: redisURL, configuration: redisConfiguration, logger: logger)
        self.deadLetters = RedisDeadLetterStore(client: client, capacity: settings.deadLetterCapacity)
    }

    /// This process's instance name: `--instance`, else `<host>-<pid>`.
    public var instanceName: String {
        settings.instance ?? "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
    }

    /// A transport with its own connections, so each service's commits do not queue behind another's.
    public func makeTransport() -> any EventTransport {
        Self.makeTransport(settings, url: redisURL, configuration: redisConfiguration, logger: logger)
    }

    private static func makeTransport(
        _ settings: Settings, url: RedisURL, configuration: RedisConfiguration, logger: Logger
    ) -> any EventTransport {
        switch settings.transport {
        case .pubsub:
            return RedisPubSubTransport(url: url, configuration: configuration, logger: logger)
        case .streams:
            let streams = StreamsConfiguration(
                batchSize: settings.streamsBatchSize, claimIdle: .milliseconds(settings.streamsClaimIdleMilliseconds),
                maximumDeliveries: settings.streamsMaximumDeliveries, maximumLength: settings.streamsMaximumLength,
                trimmedStreams: EventTypes.all
            )
            return RedisStreamsTransport(url: url, redisConfiguration: configuration, configuration: streams,
                                         logger: logger)
        }
    }

    /// A new Redis client with the application's URL and timeouts.
    /// - Parameter logger: where its connection changes are logged; the application's by default.
    public func makeRedisClient(logger: Logger? = nil) -> RedisClient {
        RedisClient(url: redisURL, configuration: redisConfiguration, logger: logger ?? self.logger)
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
