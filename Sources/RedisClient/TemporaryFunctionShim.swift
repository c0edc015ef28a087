// Stand-in until the event-loop client lands with its own `RedisFunctionLibrary` and `call`.
public struct RedisFunctionLibrary: Sendable {
    public let name: String
    public let source: String
    public init(name: String, source: String) {
        self.name = name
        self.source = source
    }
}

extension RedisClient {
    public func call(
        _ function: String, in library: RedisFunctionLibrary, keys: [any RedisArgumentConvertible],
        arguments: [any RedisArgumentConvertible]
    ) async throws(RedisError) -> RedisReply {
        let command = RedisCommand("FCALL", [function, keys.count] + keys + arguments)
        var reply = try await pipeline([command])[0]
        if case .error(let message) = reply, message.hasPrefix("ERR Function not found") {
            _ = try await send("FUNCTION", "LOAD", "REPLACE", library.source)
            reply = try await pipeline([command])[0]
        }
        if case .error(let message) = reply {
            throw RedisError(.server, "Redis function \(library.name).\(function) failed: \(message)")
        }
        return reply
    }
}
