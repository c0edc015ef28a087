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
            let request = PendingRequest(commands: commands, script: script, continuation: continuation)
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
            let batch = line.withLock { line -> [PendingRequest] in
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
struct PendingRequest: Sendable {
    let commands: [RedisCommand]
    let script: RedisScript?
    let continuation: CheckedContinuation<Result<[RedisReply], RedisError>, Never>
}

/// The requests waiting for the connection, and whether the queue is already draining them.
private struct WaitingLine {
    var waiting: [PendingRequest] = []
    var draining = false
}
