import RedisClient

extension RedisClient {
    /// Calls the bus function `function` (`CommitFunction.library`) once for each key with the same other
    /// arguments, all in one pipeline (on a cluster, one per node): housekeeping over a type's partition
    /// streams in one round trip per node. A call answered with an error (e.g. by a primary that lacks the
    /// library) is made again alone with `call`, which loads the library, or throws the error.
    func callBusFunction(_ function: String, forEach keys: [String], arguments: [[UInt8]])
        async throws(RedisError) -> [RedisReply]
    {
        let registeredName = Array(CommitFunction.library.registeredName(of: function).utf8)
        let commands = keys.map { key in
            let head = [registeredName, [UInt8(ascii: "1")], Array(key.utf8)]
            return RedisCommand(name: "FCALL", arguments: head + arguments).routed(by: key)
        }
        var replies = try await pipeline(commands)
        for (index, reply) in replies.enumerated() {
            if case .error = reply {
                replies[index] = try await call(function, in: CommitFunction.library, keys: [Array(keys[index].utf8)],
                                                arguments: arguments)
            }
        }
        return replies
    }
}
