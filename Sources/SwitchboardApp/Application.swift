import EventBus
import EventBusRedis
import RedisClient
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
    /// How services exchange events.
    public let transport: any EventTransport
    /// Where unprocessable messages go.
    public let deadLetters: any DeadLetterStore

    /// Builds the application.
    /// - Throws: `CommandFailure` with exit code 78 when the Redis URL is invalid.
    public init(settings: Settings) throws(CommandFailure) {
        self.settings = settings
        do {
            self.redisURL = try RedisURL(settings.redisURL)
        } catch {
            throw CommandFailure(.configuration, error.message)
        }
        self.logger = Logger(label: "switchboard", logLevel: settings.logLevel,
                             sink: .standardError(format: settings.logFormat))
        self.redisConfiguration = RedisConfiguration(
            connectTimeout: .milliseconds(settings.connectTimeoutMilliseconds),
            commandTimeout: .milliseconds(settings.commandTimeoutMilliseconds)
        )
        switch settings.transport {
        case .pubsub:
            self.transport = RedisPubSubTransport(url: redisURL, configuration: redisConfiguration, logger: logger)
        }
        let client = RedisClient(url: redisURL, configuration: redisConfiguration, logger: logger)
        self.deadLetters = RedisDeadLetterStore(client: client, capacity: settings.deadLetterCapacity)
    }

    /// A new Redis client with the application's URL, timeouts and logger.
    public func makeRedisClient() -> RedisClient {
        RedisClient(url: redisURL, configuration: redisConfiguration, logger: logger)
    }

    /// Checks that Redis answers `PING`, quietly: the failure is the caller's one line to print.
    /// - Throws: `CommandFailure` with exit code 69 saying why it does not.
    public func requireBroker() async throws(CommandFailure) {
        do {
            let client = RedisClient(url: redisURL, configuration: redisConfiguration, logger: .disabled)
            _ = try await client.send("PING")
        } catch {
            throw CommandFailure(.unavailable, error.message)
        }
    }
}
