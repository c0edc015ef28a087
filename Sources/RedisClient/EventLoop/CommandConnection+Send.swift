extension CommandConnection {
    /// Hands the commands to the event loop and suspends until their replies (or an error) come back.
    func send(_ commands: [RedisCommand]) async -> Result<[RedisReply], RedisError> {
        await withUnsafeContinuation { continuation in
            loop.submit(PendingRequest(commands: commands, connection: self, continuation: continuation))
        }
    }

    /// Hands one command to the event loop and suspends until its reply (or an error) comes back: no array
    /// of commands or of replies is made for it.
    func send(_ command: RedisCommand) async -> Result<RedisReply, RedisError> {
        await withUnsafeContinuation { continuation in
            loop.submit(PendingRequest(command: command, connection: self, continuation: continuation))
        }
    }
}
