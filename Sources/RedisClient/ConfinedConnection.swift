import Resilience
import Telemetry

/// The client's connection and reconnect state; touched only on the client's serial queue, which is
/// why it may be `@unchecked Sendable`.
final class ConfinedConnection: @unchecked Sendable {
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
    func execute(_ batch: [PendingRequest]) -> [Result<[RedisReply], RedisError>] {
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
