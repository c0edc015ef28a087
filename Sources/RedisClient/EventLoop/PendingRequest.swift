/// A caller's commands on their way through the event loop, the replies received so far, and the
/// continuation that gets them.
///
/// Created by the caller, then touched only on the loop's thread (inbox, in flight, completion), which is
/// why it may be `@unchecked Sendable`. It completes exactly once: with all its replies or with an error.
final class PendingRequest: @unchecked Sendable {
    /// The commands in the Redis protocol, encoded by the caller's thread rather than the loop's.
    let wire: WireCommands
    /// Whether its replies come as soon as the server ran it: no command that may block (`BLPOP`,
    /// `XREAD … BLOCK`, `WAIT`), for which the loop need not wait (`RedisEventLoop.replyWindow`).
    let isPrompt: Bool
    /// The name of the first command, for messages.
    let name: String
    /// The connection that sends it.
    let connection: CommandConnection
    /// When it times out, from the turn it was written in.
    var deadline: ContinuousClock.Instant?
    /// Whether it was already re-sent once after going out on a stale connection.
    var wasRetried = false
    /// How many replies complete it: one per command.
    private let expected: Int
    private var replies: [RedisReply] = []
    private let caller: Caller

    /// Who waits for the replies: a caller of several commands gets them all in an array; the caller of one
    /// command (most callers) gets its reply alone, with no array made on either side.
    private enum Caller {
        case all(UnsafeContinuation<Result<[RedisReply], RedisError>, Never>)
        case one(UnsafeContinuation<Result<RedisReply, RedisError>, Never>)
    }

    /// A request for `commands`, resumed with all their replies.
    init(
        commands: [RedisCommand], connection: CommandConnection,
        continuation: UnsafeContinuation<Result<[RedisReply], RedisError>, Never>
    ) {
        self.wire = WireCommands(commands)
        self.isPrompt = !commands.contains { $0.mayBlock }
        self.name = commands.first?.name ?? "nothing"
        self.connection = connection
        self.expected = commands.count
        self.caller = .all(continuation)
    }

    /// A request for one command, resumed with its reply.
    init(
        command: RedisCommand, connection: CommandConnection,
        continuation: UnsafeContinuation<Result<RedisReply, RedisError>, Never>
    ) {
        self.wire = WireCommands(command)
        self.isPrompt = !command.mayBlock
        self.name = command.name
        self.connection = connection
        self.expected = 1
        self.caller = .one(continuation)
    }

    /// Takes the next reply; when it was the last one due, resumes the caller.
    /// - Returns: whether the request is complete.
    func receive(_ reply: RedisReply) -> Bool {
        switch caller {
        case .one(let continuation):
            continuation.resume(returning: .success(reply))
            return true
        case .all(let continuation):
            if replies.isEmpty { replies.reserveCapacity(expected) }
            replies.append(reply)
            guard replies.count == expected else { return false }
            continuation.resume(returning: .success(replies))
            return true
        }
    }

    /// Resumes the caller with an error.
    func fail(_ error: RedisError) {
        switch caller {
        case .one(let continuation): continuation.resume(returning: .failure(error))
        case .all(let continuation): continuation.resume(returning: .failure(error))
        }
    }
}
