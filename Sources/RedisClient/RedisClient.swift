import Resilience
import Dispatch
import Telemetry

/// An async Redis client over one hiredis connection, confined to a serial queue.
///
/// hiredis blocks, so every call runs on the client's own `DispatchQueue` and the caller's task
/// suspends meanwhile: the cooperative pool never blocks. The connection is opened lazily and
/// re-opened after it breaks; after a failed attempt further attempts wait for a backoff with jitter,
/// and commands fail at once with `.unavailable` in between, so callers never hang on a dead server.
public final class RedisClient: Sendable {
    /// Where the client connects.
    public let url: RedisURL
    private let queue: DispatchQueue
    private let connection: ConfinedConnection

    /// Creates a client; nothing connects until the first command.
    /// - Parameters:
    ///   - url: the server.
    ///   - configuration: timeouts and backoff.
    ///   - logger: where connection state changes are logged.
    public init(url: RedisURL, configuration: RedisConfiguration = RedisConfiguration(), logger: Logger) {
        self.url = url
        self.queue = DispatchQueue(label: "switchboard.redis.client")
        self.connection = ConfinedConnection(url: url, configuration: configuration, logger: logger)
    }

    /// Sends one command and returns its reply.
    /// - Throws: `RedisError`; an error reply from the server is thrown as `.server`.
    public func send(_ command: RedisCommand) async throws(RedisError) -> RedisReply {
        let reply = try await onQueue { connection throws(RedisError) in try connection.send(command) }
        if case .error(let message) = reply {
            throw RedisError(.server, "Redis answered \(command.name) with an error: \(message)")
        }
        return reply
    }

    /// Sends one command built from its name and arguments.
    public func send(_ name: String, _ arguments: any RedisArgumentConvertible...) async throws(RedisError)
        -> RedisReply
    {
        try await send(RedisCommand(name, arguments))
    }

    /// Sends all commands before reading any reply: one round trip for the lot.
    ///
    /// Error replies are returned in place, so one failing command does not hide the others' replies.
    public func pipeline(_ commands: [RedisCommand]) async throws(RedisError) -> [RedisReply] {
        guard !commands.isEmpty else { return [] }
        return try await onQueue { connection throws(RedisError) in try connection.pipeline(commands) }
    }

    /// Runs a Lua script by its SHA1 (`EVALSHA`), sending the source with `EVAL` when the server does not
    /// know it (`NOSCRIPT`, e.g. after `SCRIPT FLUSH` or a restart).
    /// - Parameters:
    ///   - script: the script.
    ///   - keys: the keys it touches (`KEYS`).
    ///   - arguments: its other arguments (`ARGV`).
    public func evaluate(
        _ script: RedisScript, keys: [any RedisArgumentConvertible] = [], arguments: [any RedisArgumentConvertible] = []
    ) async throws(RedisError) -> RedisReply {
        let tail: [any RedisArgumentConvertible] = [keys.count] + keys + arguments
        let reply = try await onQueue { connection throws(RedisError) in
            let first = try connection.send(RedisCommand("EVALSHA", [script.sha1] + tail))
            guard case .error(let message) = first, message.hasPrefix("NOSCRIPT") else { return first }
            return try connection.send(RedisCommand("EVAL", [script.source] + tail))
        }
        if case .error(let message) = reply {
            throw RedisError(.server, "Redis script \(script.name) failed: \(message)")
        }
        return reply
    }

    /// Closes the connection; a later command opens a new one.
    public func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async {
                self.connection.close()
                continuation.resume()
            }
        }
    }

    private func onQueue<Value: Sendable>(
        _ body: @escaping @Sendable (ConfinedConnection) throws(RedisError) -> Value
    ) async throws(RedisError) -> Value {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Value, RedisError>, Never>) in
            queue.async {
                continuation.resume(returning: Result { () throws(RedisError) in try body(self.connection) })
            }
        }
        return try result.get()
    }
}

/// The client's connection and reconnect state; touched only on the client's serial queue, which is
/// why it may be `@unchecked Sendable`.
private final class ConfinedConnection: @unchecked Sendable {
    private let url: RedisURL
    private let configuration: RedisConfiguration
    private let logger: Logger
    private var connection: HiredisConnection?
    private var backoff: Backoff
    private var nextAttempt: ContinuousClock.Instant?
    private var lastFailure: RedisError?

    init(url: RedisURL, configuration: RedisConfiguration, logger: Logger) {
        self.url = url
        self.configuration = configuration
        self.logger = logger
        self.backoff = configuration.backoff
    }

    func send(_ command: RedisCommand) throws(RedisError) -> RedisReply {
        try withRetryOnStaleConnection { connection throws(RedisError) in try connection.send(command) }
    }

    func pipeline(_ commands: [RedisCommand]) throws(RedisError) -> [RedisReply] {
        try withRetryOnStaleConnection { connection throws(RedisError) in try connection.pipeline(commands) }
    }

    func close() {
        connection = nil
    }

    /// Runs `body` on the open connection. A connection that the server closed while it sat idle
    /// (a restart) only shows it on the next use, so such a `connectionLost` is retried once on a new one.
    private func withRetryOnStaleConnection<Value>(
        _ body: (HiredisConnection) throws(RedisError) -> Value
    ) throws(RedisError) -> Value {
        let wasOpen = connection != nil
        do {
            return try run(body)
        } catch where error.code == .connectionLost && wasOpen {
            return try run(body)
        }
    }

    private func run<Value>(_ body: (HiredisConnection) throws(RedisError) -> Value) throws(RedisError) -> Value {
        let open = try openConnection()
        do {
            return try body(open)
        } catch {
            if open.isBroken {
                connection = nil
                logger.warning("Redis connection lost", metadata: ["redis.url": "\(url)", "error": error.message])
            }
            throw error
        }
    }

    private func openConnection() throws(RedisError) -> HiredisConnection {
        if let connection { return connection }
        if let nextAttempt, ContinuousClock.now < nextAttempt, let lastFailure {
            throw RedisError(.unavailable, "Redis at \(url) is unreachable, retrying shortly: \(lastFailure.message)")
        }
        do {
            let opened = try HiredisConnection(url: url, configuration: configuration)
            if lastFailure != nil {
                logger.notice("Redis connection restored", metadata: ["redis.url": "\(url)"])
            }
            connection = opened
            lastFailure = nil
            nextAttempt = nil
            backoff.reset()
            return opened
        } catch {
            if lastFailure == nil {
                logger.warning("cannot connect to Redis", metadata: ["redis.url": "\(url)", "error": error.message])
            }
            lastFailure = error
            nextAttempt = ContinuousClock.now + backoff.next()
            throw error
        }
    }
}
