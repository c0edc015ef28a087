import Telemetry

/// An async Redis client over one connection, driven by a `RedisEventLoop` (the configuration's).
///
/// Callers suspend while their request is out and never block a thread: the loop writes the requests of
/// every caller that arrived since its last turn together, and resumes each caller as its replies come, in
/// order. Many concurrent callers thus share each write and each round trip.
///
/// The connection is opened lazily, with the URL's `AUTH` and `SELECT` pipelined ahead of the first
/// requests, and re-opened after it breaks. After a failed attempt, further attempts wait for a backoff
/// with jitter and requests fail at once with `.unavailable` in between, so callers never hang on a dead
/// server; a reply slower than `commandTimeout` fails with `.timeout`. With a `redis+sentinel://` URL the
/// client connects to the primary its Sentinels name and follows it across failovers.
///
/// With a `redis+cluster://` URL it holds one such connection per node of the Redis Cluster and sends each
/// command to the node serving the slot of its `RedisCommand.routingKey`, following `MOVED`, `ASK`,
/// `TRYAGAIN`, `CLUSTERDOWN` and failovers (`ClusterRouter`); other URLs never look at routing keys.
public final class RedisClient: Sendable {
    /// Where the client connects.
    public let url: RedisURL
    private let transport: Transport
    /// The function library loads under way, shared by the callers that find a library missing together.
    private let libraryLoads = FunctionLibraryLoads()

    /// One server (or the primary its Sentinels name), or the nodes of a cluster.
    private enum Transport: Sendable {
        case server(CommandConnection)
        case cluster(ClusterRouter)
    }

    /// Creates a client; nothing connects until the first command.
    /// - Parameters:
    ///   - url: the server.
    ///   - configuration: timeouts and backoff.
    ///   - logger: where connection state changes are logged.
    public init(url: RedisURL, configuration: RedisConfiguration = RedisConfiguration(), logger: Logger) {
        self.url = url
        if let seeds = url.clusterSeeds {
            transport = .cluster(ClusterRouter(
                url: url, seeds: seeds, configuration: configuration, logger: logger
            ))
        } else {
            transport = .server(CommandConnection(
                url: url, configuration: configuration, logger: logger
            ))
        }
    }

    deinit {
        switch transport {
        case .server(let connection): connection.loop.execute { connection.shutDown() }
        case .cluster(let router): router.loop.execute { router.shutDown() }
        }
    }

    /// Sends one command and returns its reply.
    /// - Throws: `RedisError`; an error reply from the server is thrown as `.server` (`.notReady` while it loads).
    public func send(_ command: RedisCommand) async throws(RedisError) -> RedisReply {
        try await send(command, toNode: nil)
    }

    /// Sends one command built from its name and arguments.
    public func send(_ name: String, _ arguments: any RedisArgumentConvertible...) async throws(RedisError)
        -> RedisReply
    {
        try await send(RedisCommand(name, arguments))
    }

    /// Sends all commands before reading any reply: one round trip for the lot.
    ///
    /// Error replies are returned in place, so one failing command does not hide the others' replies. On a
    /// Redis Cluster each node gets its share of the commands at once (a pipeline is not a transaction).
    public func pipeline(_ commands: [RedisCommand]) async throws(RedisError) -> [RedisReply] {
        guard !commands.isEmpty else { return [] }
        switch transport {
        case .server: return try await submit(commands)
        case .cluster(let router): return try await router.pipeline(commands)
        }
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
        let parameters: [any RedisArgumentConvertible] = [keys.count] + keys + arguments
        let routingKey = keys.first?.redisArgument
        var reply = try await submit(RedisCommand("EVALSHA", [script.sha1] + parameters).routed(byKey: routingKey))
        if case .error(let message) = reply, message.hasPrefix("NOSCRIPT") {
            reply = try await submit(RedisCommand("EVAL", [script.source] + parameters).routed(byKey: routingKey))
        }
        if case .error(let message) = reply {
            throw RedisError(reply: message, "Redis script \(script.name) failed: \(message)")
        }
        return reply
    }

    /// Calls a Redis Function (`FCALL`), loading its library first (`FUNCTION LOAD REPLACE`) when the server
    /// does not have it (a new or flushed server, or one with another version of the library), then calling
    /// again, once.
    /// - Parameters:
    ///   - function: the function's name without the library's version (`RedisFunctionLibrary`).
    ///   - library: the library that registers it.
    ///   - keys: the keys it touches (`KEYS`).
    ///   - arguments: its other arguments (`ARGV`).
    /// - Throws: `RedisError`; an error reply of the function (or of loading its library) as `.server`.
    public func call(
        _ function: String, in library: RedisFunctionLibrary,
        keys: [any RedisArgumentConvertible] = [], arguments: [any RedisArgumentConvertible] = []
    ) async throws(RedisError) -> RedisReply {
        try await call(function, in: library, keys: RedisArguments(keys), arguments: RedisArguments(arguments))
    }

    /// Calls a Redis Function (`FCALL`) with byte arguments, for hot paths: nothing is boxed or converted.
    ///
    /// Like `call(_:in:keys:arguments:)` with any arguments: the library is loaded when the server lacks it.
    /// - Parameters:
    ///   - function: the function's name without the library's version.
    ///   - library: the library that registers it.
    ///   - keys: the keys it touches (`KEYS`).
    ///   - arguments: its other arguments (`ARGV`).
    public func call(
        _ function: String, in library: RedisFunctionLibrary, keys: [[UInt8]], arguments: [[UInt8]]
    ) async throws(RedisError) -> RedisReply {
        try await call(function, in: library, keys: RedisArguments(keys), arguments: RedisArguments(arguments),
                       then: nil).reply
    }

    /// Calls a Redis Function (`FCALL`) with arguments built ahead in one buffer, for the hottest paths
    /// (a commit): they are copied into the command as they are.
    ///
    /// Like `call(_:in:keys:arguments:)` with any arguments: the library is loaded when the server lacks it.
    /// - Parameters:
    ///   - function: the function's name without the library's version.
    ///   - library: the library that registers it.
    ///   - keys: the keys it touches (`KEYS`).
    ///   - arguments: its other arguments (`ARGV`).
    public func call(
        _ function: String, in library: RedisFunctionLibrary, keys: RedisArguments, arguments: RedisArguments
    ) async throws(RedisError) -> RedisReply {
        try await call(function, in: library, keys: keys, arguments: arguments, then: nil).reply
    }

    /// Calls a Redis Function like `call(_:in:keys:arguments:)`, then `WAIT`s on the same connection in the
    /// same round trip until `replicas` replicas have every write made so far, the call's included.
    ///
    /// For acknowledgements that must survive a failover: replication is asynchronous, so a write only the
    /// primary holds is lost when it dies.
    /// - Parameters:
    ///   - function: the function's name without the library's version.
    ///   - library: the library that registers it.
    ///   - keys: the keys it touches (`KEYS`).
    ///   - arguments: its other arguments (`ARGV`).
    ///   - replicas: how many replicas must confirm.
    ///   - timeout: how long `WAIT` may block; it then answers with how many did confirm.
    /// - Returns: the function's reply and how many replicas confirmed (fewer than `replicas` after `timeout`).
    public func call(
        _ function: String, in library: RedisFunctionLibrary, keys: [[UInt8]], arguments: [[UInt8]],
        waitingForReplicas replicas: Int, timeout: Duration
    ) async throws(RedisError) -> (reply: RedisReply, replicas: Int) {
        let milliseconds = max(1, timeout.wholeMilliseconds)
        let (reply, wait) = try await call(
            function, in: library, keys: RedisArguments(keys), arguments: RedisArguments(arguments),
            then: RedisCommand("WAIT", replicas, milliseconds)
        )
        guard let confirmed = wait?.int else {
            throw RedisError(.server, "Redis answered WAIT with \(wait.map { "\($0)" } ?? "nothing")")
        }
        return (reply, confirmed)
    }

    /// `FCALL`, pipelined with `next` when given; the library is loaded first when the server lacks it.
    private func call(
        _ function: String, in library: RedisFunctionLibrary, keys: RedisArguments, arguments: RedisArguments,
        then next: RedisCommand?
    ) async throws(RedisError) -> (reply: RedisReply, next: RedisReply?) {
        // The function's name as this version of the library registers it, written without an interim string.
        var command = RedisCommand(name: "FCALL", capacity: 2 + keys.count + arguments.count,
                                   byteCapacity: function.utf8.count + library.functionSuffix.utf8.count + 4
                                       + keys.byteCount + arguments.byteCount)
        command.append(function, followedBy: library.functionSuffix)
        command.append(keys.count)
        command.append(contentsOf: keys)
        command.append(contentsOf: arguments)
        if case .cluster = transport { command.routingKey = keys.first.map(Array.init) }
        // The call alone (most calls) goes as one command, with no arrays of commands or replies.
        func send() async throws(RedisError) -> (RedisReply, RedisReply?) {
            guard let next else { return (try await submit(command), nil) }
            let replies = try await submit([command, next])
            return (replies[0], replies[1])
        }
        var (reply, nextReply) = try await send()
        if case .error(let message) = reply, message.hasPrefix("ERR Function not found") {
            // On a cluster, routed by the same key: loaded on the primary that lacked it. Callers that find it
            // missing together share one load (per slot on a cluster).
            var load = RedisCommand(name: "FUNCTION", arguments: ["LOAD", "REPLACE", library.source])
            load.routingKey = command.routingKey
            let loadKey = command.routingKey.map { "\(library.name) \(HashSlot(key: $0))" } ?? library.name
            try await libraryLoads.load(loadKey) { () async throws(RedisError) in
                let loaded = try await submit(load)
                if case .error(let message) = loaded {
                    throw RedisError(reply: message, "Redis refused to load the function library \(library.name): "
                        + "\(message) (a user that may not FUNCTION LOAD needs an administrator to load it)")
                }
            }
            (reply, nextReply) = try await send()
        }
        if case .error(let message) = reply {
            throw RedisError(reply: message, "Redis function \(function) of library \(library.name) failed: \(message)")
        }
        return (reply, nextReply)
    }

    /// The nodes that hold keys, for commands that walk the key space (`SCAN`): the server itself (`nil`),
    /// or every primary of a cluster as its map says now.
    func keyNodes() async throws(RedisError) -> [RedisURL.Address?] {
        switch transport {
        case .server: [nil]
        case .cluster(let router): try await router.primaries().map { $0 }
        }
    }

    /// Sends `command` to one node of `keyNodes()`, as it is (no redirection is followed); `nil` routes it as
    /// `send(_:)` does.
    /// - Throws: `RedisError`; an error reply is thrown as `.server` (`.notReady` while the server loads).
    func send(_ command: RedisCommand, toNode node: RedisURL.Address?) async throws(RedisError) -> RedisReply {
        let reply: RedisReply
        switch (transport, node) {
        case (.cluster(let router), let address?): reply = try await router.send([command], to: address)[0]
        default: reply = try await submit(command)
        }
        if case .error(let message) = reply {
            throw RedisError(reply: message, "Redis answered \(command.name) with an error: \(message)")
        }
        return reply
    }

    /// What the Sentinels of a `redis+sentinel://` URL and the primary they name say now, asking every
    /// Sentinel (for health reports, not hot paths); `nil` for other URLs.
    public func sentinelStatus() async -> RedisSentinelStatus? {
        guard case .server(let connection) = transport else { return nil }
        return await connection.locator.status()
    }

    /// Closes the connection, failing requests still in flight with `.closed`; a later command opens a new one.
    public func close() async {
        let error = RedisError(.closed, "the Redis client for \(url) was closed")
        let transport = transport
        let loop = switch transport {
        case .server(let connection): connection.loop
        case .cluster(let router): router.loop
        }
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            loop.execute {
                switch transport {
                case .server(let connection): connection.close(failing: error)
                case .cluster(let router): router.close(failing: error)
                }
                continuation.resume()
            }
        }
    }

    private func submit(_ command: RedisCommand) async throws(RedisError) -> RedisReply {
        switch transport {
        case .server(let connection): try await connection.send(command).get()
        case .cluster(let router): try await router.send([command], routing: command.routingKey)[0]
        }
    }

    /// Sends commands together and suspends until their replies (or an error) come back; on a cluster, to the
    /// node serving the first command's routing key.
    private func submit(_ commands: [RedisCommand]) async throws(RedisError) -> [RedisReply] {
        switch transport {
        case .server(let connection): try await connection.send(commands).get()
        case .cluster(let router): try await router.send(commands, routing: commands[0].routingKey)
        }
    }
}
