#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import EventBus
import Telemetry

/// Builds `Settings` from the built-in defaults, a settings file, the environment and command-line flags,
/// later ones winning, and remembers where each value came from.
///
/// The settings file is the first of: `--config`, `$SWITCHBOARD_CONFIG` (either must exist), then the
/// first of `searchPaths` that exists (`./Config/switchboard.json`, `/etc/switchboard/switchboard.json`).
/// Without one, the built-in defaults apply, so `switchboard` runs from any folder.
public struct SettingsLoader: Sendable {
    /// Where a settings file is looked for when neither `--config` nor `$SWITCHBOARD_CONFIG` names one.
    public static let defaultSearchPaths = ["Config/switchboard.json", "/etc/switchboard/switchboard.json"]

    /// The environment, e.g. `ProcessInfo.processInfo.environment`.
    public var environment: [String: String]
    /// Where a settings file is looked for, in order, when none is named.
    public var searchPaths: [String]

    /// Creates a loader.
    /// - Parameters:
    ///   - environment: the process environment.
    ///   - searchPaths: where to look for a settings file when none is named; `defaultSearchPaths` by default.
    public init(environment: [String: String], searchPaths: [String] = Self.defaultSearchPaths) {
        self.environment = environment
        self.searchPaths = searchPaths
    }

    /// Resolves the settings.
    /// - Parameter flags: the global flags given on the command line.
    /// - Throws: `CommandFailure` with exit code 78 naming the bad setting and where it came from.
    public func load(flags: GlobalFlags) throws(CommandFailure) -> Settings {
        try resolve(flags: flags).settings
    }

    /// Resolves the settings and where each came from (what `switchboard config` prints).
    /// - Parameter flags: the global flags given on the command line.
    /// - Throws: `CommandFailure` with exit code 78 naming the bad setting and where it came from.
    public func resolve(flags: GlobalFlags) throws(CommandFailure) -> ResolvedSettings {
        var resolved = ResolvedSettings()
        if let path = settingsFile(flags: flags) {
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw CommandFailure(.configuration, "config file \(path) cannot be read (does it exist?)")
            }
            resolved.file = path
            try apply(try decodeFile(contents, path: path), from: path, to: &resolved)
        }
        try applyEnvironment(to: &resolved)
        try apply(flags, to: &resolved)
        return resolved
    }

    /// The settings file to read: the one named, else the first of `searchPaths` that exists, else none.
    private func settingsFile(flags: GlobalFlags) -> String? {
        if let named = flags.configPath ?? environment["SWITCHBOARD_CONFIG"] {
            return named
        }
        return searchPaths.first { FileManager.default.fileExists(atPath: $0) }
    }

    private func decodeFile(_ contents: Data, path: String) throws(CommandFailure) -> SettingsFile {
        do {
            return try JSONDecoder().decode(SettingsFile.self, from: contents)
        } catch let error as DecodingError {
            let message = CloudEventError(decoding: error, in: "$").message
            throw CommandFailure(.configuration, "config file \(path): \(message)")
        } catch {
            throw CommandFailure(.configuration, "config file \(path) is not valid JSON: \(error)")
        }
    }

    private func apply(_ file: SettingsFile, from path: String, to resolved: inout ResolvedSettings)
        throws(CommandFailure)
    {
        let origin = SettingOrigin.file(path)
        func set<Value>(_ key: String, _ keyPath: WritableKeyPath<Settings, Value>, _ value: Value?) {
            resolved.set(key, keyPath, to: value, from: origin)
        }
        func positive(_ key: String, _ keyPath: WritableKeyPath<Settings, Int>, _ value: Int?) throws(CommandFailure) {
            if let value, value <= 0 {
                throw CommandFailure(.configuration, "\(path) \(key) must be > 0, found \(value)")
            }
            set(key, keyPath, value)
        }
        func positive(_ key: String, _ keyPath: WritableKeyPath<Settings, Int?>, _ value: Int?) throws(CommandFailure) {
            guard let value else { return }
            if value <= 0 { throw CommandFailure(.configuration, "\(path) \(key) must be > 0, found \(value)") }
            set(key, keyPath, .some(value))
        }
        func atLeastZero(_ key: String, _ keyPath: WritableKeyPath<Settings, Int>, _ value: Int?)
            throws(CommandFailure)
        {
            if let value, value < 0 { throw CommandFailure(.configuration, "\(path) \(key) must be ≥ 0") }
            set(key, keyPath, value)
        }

        set("redis.url", \.redisURL, file.redis?.url)
        for (name, user) in file.redis?.users ?? [:] {
            resolved.settings.redisUsers[name] = try credential(name, user, in: path)
            resolved.origins["redis.users.\(name)"] = origin
        }
        try positive("redis.connectTimeoutMilliseconds", \.connectTimeoutMilliseconds,
                     file.redis?.connectTimeoutMilliseconds)
        try positive("redis.commandTimeoutMilliseconds", \.commandTimeoutMilliseconds,
                     file.redis?.commandTimeoutMilliseconds)
        set("redis.sentinelPassword", \.redisSentinelPassword, file.redis?.sentinelPassword)
        try atLeastZero("http.durableAcceptMilliseconds", \.durableAcceptMilliseconds, file.http?.durableAcceptMilliseconds)
        set("transport", \.transport, try file.transport.map { text throws(CommandFailure) in
            try parseTransport(text, from: "\(path) transport")
        })
        set("http.port", \.httpPort, try file.http?.port.map { port throws(CommandFailure) in
            try parsePort(String(port), from: "\(path) http.port")
        })
        try positive("http.connectionLimit", \.httpConnectionLimit, file.http?.connectionLimit)
        try positive("http.idleTimeoutSeconds", \.httpIdleTimeoutSeconds, file.http?.idleTimeoutSeconds)
        try positive("http.maximumBodyBytes", \.httpMaximumBodyBytes, file.http?.maximumBodyBytes)
        try positive("http.maximumPendingOrders", \.httpMaximumPendingOrders, file.http?.maximumPendingOrders)
        try positive("http.maximumEventStreams", \.httpMaximumEventStreams, file.http?.maximumEventStreams)
        try positive("http.maximumBacklog", \.httpMaximumBacklog, file.http?.maximumBacklog)
        try positive("pubsub.maximumBufferedMessages", \.pubsubMaximumBufferedMessages,
                     file.pubsub?.maximumBufferedMessages)
        set("log.level", \.logLevel, try file.log?.level.map { text throws(CommandFailure) in
            try parseLevel(text, from: "\(path) log.level")
        })
        set("log.format", \.logFormat, try file.log?.format.map { text throws(CommandFailure) in
            try parseFormat(text, from: "\(path) log.format")
        })
        set("catalog", \.catalogPath, file.catalog.map { catalog in
            // A relative catalog path is read from the settings file's folder.
            guard !catalog.hasPrefix("/"), let slash = path.lastIndex(of: "/") else { return catalog }
            return "\(path[...slash])\(catalog)"
        })
        try atLeastZero("payment.latencyMilliseconds", \.paymentLatencyMilliseconds, file.payment?.latencyMilliseconds)
        set("payment.failureRate", \.paymentFailureRate,
            try file.payment?.failureRate.map { rate throws(CommandFailure) in
                try parseRate(String(rate), from: "\(path) payment.failureRate")
            })
        try positive("payment.timeoutMilliseconds", \.paymentTimeoutMilliseconds, file.payment?.timeoutMilliseconds)
        try atLeastZero("payment.retries", \.paymentRetries, file.payment?.retries)
        try positive("payment.breaker.failureThreshold", \.breakerFailureThreshold,
                     file.payment?.breaker?.failureThreshold)
        try positive("payment.breaker.coolDownMilliseconds", \.breakerCoolDownMilliseconds,
                     file.payment?.breaker?.coolDownMilliseconds)
        try positive("streams.batchSize", \.streamsBatchSize, file.streams?.batchSize)
        try positive("streams.claimIdleMilliseconds", \.streamsClaimIdleMilliseconds,
                     file.streams?.claimIdleMilliseconds)
        try positive("streams.maximumDeliveries", \.streamsMaximumDeliveries, file.streams?.maximumDeliveries)
        try positive("streams.maximumLength", \.streamsMaximumLength, file.streams?.maximumLength)
        try positive("streams.consumerIdleLimitSeconds", \.streamsConsumerIdleLimitSeconds,
                     file.streams?.consumerIdleLimitSeconds)
        try positive("streams.partitionPollMilliseconds", \.streamsPartitionPollMilliseconds,
                     file.streams?.partitionPollMilliseconds)
        try positive("deadLetters.capacity", \.deadLetterCapacity, file.deadLetters?.capacity)
        try positive("retention.finalRecordDays", \.finalRecordRetentionDays, file.retention?.finalRecordDays)
        try positive("retention.finalRecordSeconds", \.finalRecordRetentionSeconds, file.retention?.finalRecordSeconds)
        try positive("retention.traceSeconds", \.traceRetentionSeconds, file.retention?.traceSeconds)
        try positive("shutdownGraceSeconds", \.shutdownGraceSeconds, file.shutdownGraceSeconds)
    }

    /// One `redis.users.<name>` entry, checked: a known name, exactly one source of the password.
    private func credential(_ name: String, _ user: SettingsFile.Redis.User, in path: String)
        throws(CommandFailure) -> RedisCredential
    {
        let key = "\(path) redis.users.\(name)"
        guard AccessPolicy.userNames.contains(name) else {
            throw CommandFailure(.configuration, "\(key): unknown name (known: \(AccessPolicy.userNames.joined(separator: ", ")))")
        }
        let password: RedisCredential.PasswordSource
        switch (user.passwordFile, user.passwordEnv) {
        case (let file?, nil): password = .file(file)
        case (nil, let variable?): password = .environment(variable)
        default: throw CommandFailure(.configuration, "\(key) needs exactly one of passwordFile and passwordEnv")
        }
        let name = user.user ?? AccessPolicy.defaultUser(for: name)
        guard !name.isEmpty, !name.contains(where: \.isWhitespace) else {
            throw CommandFailure(.configuration, "\(key).user '\(name)' must be non-empty and without spaces")
        }
        return RedisCredential(user: name, password: password)
    }

    private func applyEnvironment(to resolved: inout ResolvedSettings) throws(CommandFailure) {
        for name in ["REDIS_URL", "SWITCHBOARD_REDIS_URL"] {
            resolved.set("redis.url", \.redisURL, to: environment[name], from: .environment(name))
        }
        func set<Value>(
            _ name: String, _ key: String, _ keyPath: WritableKeyPath<Settings, Value>,
            _ parse: (String, String) throws(CommandFailure) -> Value
        ) throws(CommandFailure) {
            guard let text = environment[name] else { return }
            resolved.set(key, keyPath, to: try parse(text, name), from: .environment(name))
        }
        resolved.set("redis.sentinelPassword", \.redisSentinelPassword,
                     to: environment["SWITCHBOARD_REDIS_SENTINEL_PASSWORD"],
                     from: .environment("SWITCHBOARD_REDIS_SENTINEL_PASSWORD"))
        try set("SWITCHBOARD_DURABLE_ACCEPT_MS", "http.durableAcceptMilliseconds", \.durableAcceptMilliseconds) {
            text, name throws(CommandFailure) in
            guard let value = Int(text), value >= 0 else {
                throw CommandFailure(.configuration, "\(name): '\(text)' is not a number ≥ 0 (0 turns it off)")
            }
            return value
        }
        try set("SWITCHBOARD_TRANSPORT", "transport", \.transport, parseTransport)
        try set("SWITCHBOARD_HTTP_PORT", "http.port", \.httpPort, parsePort)
        try set("SWITCHBOARD_LOG_LEVEL", "log.level", \.logLevel, parseLevel)
        try set("SWITCHBOARD_LOG_FORMAT", "log.format", \.logFormat, parseFormat)
        try set("SWITCHBOARD_STREAMS_CLAIM_IDLE_MS", "streams.claimIdleMilliseconds", \.streamsClaimIdleMilliseconds) {
            text, name throws(CommandFailure) in
            guard let value = Int(text), value > 0 else {
                throw CommandFailure(.configuration, "\(name): '\(text)' is not a number > 0")
            }
            return value
        }
        try set("SWITCHBOARD_PAYMENT_FAILURE_RATE", "payment.failureRate", \.paymentFailureRate, parseRate)
    }

    private func apply(_ flags: GlobalFlags, to resolved: inout ResolvedSettings) throws(CommandFailure) {
        resolved.set("redis.url", \.redisURL, to: flags.redisURL, from: .flag("--redis"))
        resolved.set("transport", \.transport, to: try flags.transport.map { text throws(CommandFailure) in
            try parseTransport(text, from: "--transport")
        }, from: .flag("--transport"))
        resolved.set("http.port", \.httpPort, to: try flags.httpPort.map { text throws(CommandFailure) in
            try parsePort(text, from: "--http-port")
        }, from: .flag("--http-port"))
        if let instance = flags.instance {
            guard !instance.isEmpty, !instance.contains(":") else {
                throw CommandFailure(.configuration, "--instance: '\(instance)' must be non-empty and without ':'")
            }
            resolved.set("instance", \.instance, to: instance, from: .flag("--instance"))
        }
        resolved.set("log.level", \.logLevel, to: try flags.logLevel.map { text throws(CommandFailure) in
            try parseLevel(text, from: "--log-level")
        }, from: .flag("--log-level"))
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
