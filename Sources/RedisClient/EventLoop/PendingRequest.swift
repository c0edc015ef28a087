/// A caller's commands on their way through the event loop, the replies received so far, and the
/// continuation that gets them.
///
/// Created by the caller, then touched only on the loop's thread (inbox, in flight, completion), which is
/// why it may be `@unchecked Sendable`. It completes exactly once: with all its replies or with an error.
final class PendingRequest: @unchecked Sendable {
    let commands: [RedisCommand]
    /// The commands in the Redis protocol, encoded by the caller's thread rather than the loop's.
    let wire: WireCommands
    /// Whether its replies come as soon as the server ran it: no command that may block (`BLPOP`,
    /// `XREAD … BLOCK`, `WAIT`), for which the loop need not wait (`RedisEventLoop.replyWindow`).
    let isPrompt: Bool
    /// The connection that sends it.
    let connection: CommandConnection
    /// When it times out, from the turn it was written in.
    var deadline: ContinuousClock.Instant?
    /// Whether it was already re-sent once after going out on a stale connection.
    var wasRetried = false
    private var replies: [RedisReply] = []
    private let continuation: UnsafeContinuation<Result<[RedisReply], RedisError>, Never>

    init(
        commands: [RedisCommand], connection: CommandConnection,
        continuation: UnsafeContinuation<Result<[RedisReply], RedisError>, Never>
    ) {
        self.commands = commands
        self.wire = WireCommands(commands)
        self.isPrompt = !commands.contains { $0.mayBlock }
        self.connection = connection
        self.continuation = continuation
    }

    /// The name of the first command, for messages.
    var name: String { commands.first?.name ?? "nothing" }

    /// Takes the next reply; when it was the last one due, resumes the caller.
    /// - Returns: whether the request is complete.
    func receive(_ reply: RedisReply) -> Bool {
        if replies.isEmpty { replies.reserveCapacity(commands.count) }
        replies.append(reply)
        guard replies.count == commands.count else { return false }
        continuation.resume(returning: .success(replies))
        return true
    }

    /// Resumes the caller with an error.
    func fail(_ error: RedisError) {
        continuation.resume(returning: .failure(error))
    }
}
