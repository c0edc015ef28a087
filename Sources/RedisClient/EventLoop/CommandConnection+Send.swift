extension CommandConnection {
    /// Hands the commands to the event loop and suspends until their replies (or an error) come back.
    func send(_ commands: [RedisCommand]) async -> Result<[RedisReply], RedisError> {
        await withUnsafeContinuation { continuation in
            loop.submit(PendingRequest(commands: commands, connection: self, continuation: continuation))
        }
    }
}
