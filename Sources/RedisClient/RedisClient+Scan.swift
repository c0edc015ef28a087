extension RedisClient {
    /// Every key matching a glob `pattern`, of one `type` when given (`SCAN … MATCH … TYPE`), walking the
    /// cursor to its end; on a Redis Cluster, on every primary in turn, or on one. Keys added or removed
    /// meanwhile (or moved by a resharding) may or may not be in it, as `SCAN` promises.
    /// - Parameters:
    ///   - pattern: a Redis glob, e.g. `switchboard:instance:*`.
    ///   - type: a key type, e.g. `stream`; `nil` for every type.
    ///   - routingKey: on a Redis Cluster, a key of the one node to walk (`nil`: every primary); ignored
    ///     elsewhere.
    public func scan(matching pattern: String, type: String? = nil, routedBy routingKey: String? = nil)
        async throws(RedisError) -> [String]
    {
        var keys: [String] = []
        for node in try await routingKey == nil ? keyNodes() : [nil] {
            var cursor = "0"
            repeat {
                var arguments: [any RedisArgumentConvertible] = [cursor, "MATCH", pattern, "COUNT", 1000]
                if let type { arguments += ["TYPE", type] }
                var command = RedisCommand("SCAN", arguments)
                if let routingKey { command = command.routed(by: routingKey) }
                let reply = try await send(command, toNode: node)
                guard let parts = reply.array, parts.count == 2, let next = parts[0].string else {
                    throw RedisError(.server, "Redis answered SCAN with \(reply), expected [cursor, keys]")
                }
                keys += (parts[1].array ?? []).compactMap(\.string)
                cursor = next
            } while cursor != "0"
        }
        return keys
    }
}
