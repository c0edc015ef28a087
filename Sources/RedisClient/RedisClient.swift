import Dispatch
import Resilience
import Synchronization
import Telemetry

/// An async Redis client over one hiredis connection, confined to a serial queue, that pipelines on
/// its own.
///
/// hiredis blocks, so the connection is only touched from the client's `DispatchQueue`, and callers
/// suspend meanwhile: the cooperative pool never blocks. Requests that arrive while the connection is
/// busy wait in line and then go out together: all their commands are written at once and their
/// replies read in order, so many concurrent callers share each round trip.
///
/// The connection is opened lazily and re-opened after it breaks; after a failed attempt, further
/// attempts wait for a backoff with jitter and requests fail at once with `.unavailable` in between,
/// so callers never hang on a dead server.
public final class RedisClient: Sendable {
    /// Where the client connects.
    public let url: RedisURL
    private let queue: DispatchQueue
    private let connection: ConfinedConnection
    private let line = Mutex(WaitingLine())

    /// The most requests written in one go.
    private static let maximumBatch = 512

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
        let reply = try await submit([command], script: nil)[0]
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
        return try await submit(commands, script: nil)
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
        let command = RedisCommand("EVALSHA", [script.sha1, keys.count] + keys + arguments)
        let reply = try await submit([command], script: script)[0]
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

    /// Puts a request in line and starts draining the line if nobody is.
    private func submit(_ commands: [RedisCommand], script: RedisScript?) async throws(RedisError) -> [RedisReply] {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<[RedisReply], RedisError>, Never>) in
            let request = Request(commands: commands, script: script, continuation: continuation)
            let mustDrain = line.withLock { line in
                line.waiting.append(request)
                defer { line.draining = true }
                return !line.draining
            }
            if mustDrain { queue.async { self.drain() } }
        }
        return try result.get()
    }

    /// On the queue: sends what waits in line, batch after batch, until the line is empty.
    private func drain() {
        while true {
            let batch = line.withLock { line -> [Request] in
                guard !line.waiting.isEmpty else {
                    line.draining = false
                    return []
                }
                let batch = Array(line.waiting.prefix(Self.maximumBatch))
                line.waiting.removeFirst(batch.count)
                return batch
            }
            guard !batch.isEmpty else { return }
            let results = connection.execute(batch)
            for (request, result) in zip(batch, results) {
                request.continuation.resume(returning: result)
            }
        }
    }
}

/// A caller's commands and where their replies go. `script` is set for an `EVALSHA`, so `NOSCRIPT`
/// can be answered by sending its source.
private struct Request: Sendable {
    let commands: [RedisCommand]
    let script: RedisScript?
    let continuation: CheckedContinuation<Result<[RedisReply], RedisError>, Never>
}

/// The requests waiting for the connection, and whether the queue is already draining them.
private struct WaitingLine {
    var waiting: [Request] = []
    var draining = false
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

    /// Sends every request's commands in one pipeline and hands each request its replies.
    func execute(_ batch: [Request]) -> [Result<[RedisReply], RedisError>] {
        let replies: [RedisReply]
        do {
            replies = try withRetryOnStaleConnection { connection throws(RedisError) in
                try connection.pipeline(batch.flatMap(\.commands))
            }
        } catch {
            return batch.map { _ in .failure(error) }
        }
        var offset = 0
        return batch.map { request in
            var own = Array(replies[offset..<offset + request.commands.count])
            offset += request.commands.count
            if let script = request.script, case .error(let message) = own[0], message.hasPrefix("NOSCRIPT") {
                let eval = RedisCommand("EVAL", [script.source] + request.commands[0].arguments.dropFirst(2).map { $0 })
                do throws(RedisError) {
                    own[0] = try run { connection throws(RedisError) in try connection.send(eval) }
                } catch {
                    return .failure(error)
                }
            }
            return .success(own)
        }
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
