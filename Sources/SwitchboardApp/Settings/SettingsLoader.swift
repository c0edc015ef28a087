#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import EventBus
import Telemetry

/// Builds `Settings` from the config file, the environment and command-line flags, in that order.
public struct SettingsLoader: Sendable {
    /// The config file used when neither `--config` nor `SWITCHBOARD_CONFIG` names one.
    public static let defaultConfigPath = "Config/switchboard.json"

    /// The environment, e.g. `ProcessInfo.processInfo.environment`.
    public var environment: [String: String]

    /// Creates a loader.
    public init(environment: [String: String]) {
        self.environment = environment
    }

    /// Resolves the settings.
    /// - Parameter flags: the global flags given on the command line.
    /// - Throws: `CommandFailure` with exit code 78 naming the bad setting and where it came from.
    public func load(flags: GlobalFlags) throws(CommandFailure) -> Settings {
        var settings = Settings()
        let explicitPath = flags.configPath ?? environment["SWITCHBOARD_CONFIG"]
        let path = explicitPath ?? Self.defaultConfigPath
        if let contents = FileManager.default.contents(atPath: path) {
            try apply(try decodeFile(contents, path: path), from: path, to: &settings)
        } else if explicitPath != nil {
            throw CommandFailure(.configuration, "config file \(path) cannot be read (does it exist?)")
        }

        if let url = environment["SWITCHBOARD_REDIS_URL"] ?? environment["REDIS_URL"] { settings.redisURL = url }
        if let transport = environment["SWITCHBOARD_TRANSPORT"] {
            settings.transport = try parseTransport(transport, from: "SWITCHBOARD_TRANSPORT")
        }
        if let port = environment["SWITCHBOARD_HTTP_PORT"] {
            settings.httpPort = try parsePort(port, from: "SWITCHBOARD_HTTP_PORT")
        }
        if let level = environment["SWITCHBOARD_LOG_LEVEL"] {
            settings.logLevel = try parseLevel(level, from: "SWITCHBOARD_LOG_LEVEL")
        }
        if let idle = environment["SWITCHBOARD_STREAMS_CLAIM_IDLE_MS"] {
            guard let value = Int(idle), value > 0 else {
                throw CommandFailure(.configuration, "SWITCHBOARD_STREAMS_CLAIM_IDLE_MS: '\(idle)' is not a number > 0")
            }
            settings.streamsClaimIdleMilliseconds = value
        }
        if let rate = environment["SWITCHBOARD_PAYMENT_FAILURE_RATE"] {
            settings.paymentFailureRate = try parseRate(rate, from: "SWITCHBOARD_PAYMENT_FAILURE_RATE")
        }
        if let format = environment["SWITCHBOARD_LOG_FORMAT"] {
            settings.logFormat = try parseFormat(format, from: "SWITCHBOARD_LOG_FORMAT")
        }

        if let url = flags.redisURL { settings.redisURL = url }
        if let transport = flags.transport { settings.transport = try parseTransport(transport, from: "--transport") }
        if let port = flags.httpPort { settings.httpPort = try parsePort(port, from: "--http-port") }
        if let instance = flags.instance {
            guard !instance.isEmpty, !instance.contains(":") else {
                throw CommandFailure(.configuration, "--instance: '\(instance)' must be non-empty and without ':'")
            }
            settings.instance = instance
        }
        if let level = flags.logLevel { settings.logLevel = try parseLevel(level, from: "--log-level") }
        return settings
    }

    private func decodeFile(_ contents: Data, path: String) throws(CommandFailure) -> SettingsFile {
        do {
            return try JSONDecoder().decode(SettingsFile.self, from: contents)
        } catch let error as DecodingError {
            throw CommandFailure(.configuration, "config file \(path): \(CloudEventError(decoding: error, in: "$").message)")
        } catch {
            throw CommandFailure(.configuration, "config file \(path) is not valid JSON: \(error)")
        }
    }

    private func apply(_ file: SettingsFile, from path: String, to settings: inout Settings) throws(CommandFailure) {
        if let url = file.redis?.url { settings.redisURL = url }
        if let value = file.redis?.connectTimeoutMilliseconds {
            settings.connectTimeoutMilliseconds = try positive(value, "redis.connectTimeoutMilliseconds", in: path)
        }
        if let value = file.redis?.commandTimeoutMilliseconds {
            settings.commandTimeoutMilliseconds = try positive(value, "redis.commandTimeoutMilliseconds", in: path)
        }
        if let transport = file.transport { settings.transport = try parseTransport(transport, from: "\(path) transport") }
        if let port = file.http?.port { settings.httpPort = try parsePort(String(port), from: "\(path) http.port") }
        if let level = file.log?.level { settings.logLevel = try parseLevel(level, from: "\(path) log.level") }
        if let format = file.log?.format { settings.logFormat = try parseFormat(format, from: "\(path) log.format") }
        if let catalog = file.catalog {
            let folder = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
            settings.catalogPath = catalog.hasPrefix("/") ? catalog : "\(folder)/\(catalog)"
        }
        if let latency = file.payment?.latencyMilliseconds {
            guard latency >= 0 else {
                throw CommandFailure(.configuration, "\(path) payment.latencyMilliseconds must be ≥ 0")
            }
            settings.paymentLatencyMilliseconds = latency
        }
        if let rate = file.payment?.failureRate {
            settings.paymentFailureRate = try parseRate(String(rate), from: "\(path) payment.failureRate")
        }
        if let value = file.payment?.timeoutMilliseconds {
            settings.paymentTimeoutMilliseconds = try positive(value, "payment.timeoutMilliseconds", in: path)
        }
        if let value = file.payment?.retries {
            guard value >= 0 else { throw CommandFailure(.configuration, "\(path) payment.retries must be ≥ 0") }
            settings.paymentRetries = value
        }
        if let value = file.payment?.breaker?.failureThreshold {
            settings.breakerFailureThreshold = try positive(value, "payment.breaker.failureThreshold", in: path)
        }
        if let value = file.payment?.breaker?.coolDownMilliseconds {
            settings.breakerCoolDownMilliseconds = try positive(value, "payment.breaker.coolDownMilliseconds", in: path)
        }
        if let value = file.http?.connectionLimit {
            settings.httpConnectionLimit = try positive(value, "http.connectionLimit", in: path)
        }
        if let value = file.http?.idleTimeoutSeconds {
            settings.httpIdleTimeoutSeconds = try positive(value, "http.idleTimeoutSeconds", in: path)
        }
        if let value = file.http?.maximumBodyBytes {
            settings.httpMaximumBodyBytes = try positive(value, "http.maximumBodyBytes", in: path)
        }
        if let value = file.shutdownGraceSeconds {
            settings.shutdownGraceSeconds = try positive(value, "shutdownGraceSeconds", in: path)
        }
        if let value = file.streams?.batchSize {
            settings.streamsBatchSize = try positive(value, "streams.batchSize", in: path)
        }
        if let value = file.streams?.claimIdleMilliseconds {
            settings.streamsClaimIdleMilliseconds = try positive(value, "streams.claimIdleMilliseconds", in: path)
        }
        if let value = file.streams?.maximumDeliveries {
            settings.streamsMaximumDeliveries = try positive(value, "streams.maximumDeliveries", in: path)
        }
        if let value = file.streams?.maximumLength {
            settings.streamsMaximumLength = try positive(value, "streams.maximumLength", in: path)
        }
        if let capacity = file.deadLetters?.capacity {
            settings.deadLetterCapacity = try positive(capacity, "deadLetters.capacity", in: path)
        }
    }

    private func positive(_ value: Int, _ name: String, in path: String) throws(CommandFailure) -> Int {
        guard value > 0 else { throw CommandFailure(.configuration, "\(path) \(name) must be > 0, found \(value)") }
        return value
    }

    private func parseRate(_ text: String, from origin: String) throws(CommandFailure) -> Double {
        guard let rate = Double(text), (0...1).contains(rate) else {
            throw CommandFailure(.configuration, "\(origin): '\(text)' is not a rate from 0 to 1")
        }
        return rate
    }

    private func parseTransport(_ text: String, from origin: String) throws(CommandFailure) -> Settings.Transport {
        guard let transport = Settings.Transport(rawValue: text) else {
            let known = Settings.Transport.allCases.map(\.rawValue).joined(separator: ", ")
            throw CommandFailure(.configuration, "\(origin): unknown transport '\(text)' (known: \(known))")
        }
        return transport
    }

    private func parsePort(_ text: String, from origin: String) throws(CommandFailure) -> Int {
        guard let port = Int(text), (0...65535).contains(port) else {
            throw CommandFailure(.configuration, "\(origin): '\(text)' is not a port number (0–65535)")
        }
        return port
    }

    private func parseLevel(_ text: String, from origin: String) throws(CommandFailure) -> Logger.Level {
        guard let level = Logger.Level(name: text) else {
            let known = Logger.Level.allCases.map(\.description).joined(separator: ", ")
            throw CommandFailure(.configuration, "\(origin): unknown log level '\(text)' (known: \(known))")
        }
        return level
    }

    private func parseFormat(_ text: String, from origin: String) throws(CommandFailure) -> LogSink.Format {
        guard let format = LogSink.Format(rawValue: text) else {
            throw CommandFailure(.configuration, "\(origin): unknown log format '\(text)' (known: logfmt, json)")
        }
        return format
    }
}
