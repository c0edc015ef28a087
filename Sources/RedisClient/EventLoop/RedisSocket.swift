/// One connection's socket on the event loop: a non-blocking connect with a deadline, the URL's `AUTH` and
/// `SELECT` pipelined ahead of everything else, writes when its owner flushes, replies as they arrive.
///
/// Owned by a `CommandConnection` or a `SubscriptionConnection` and, like them, touched only on the loop's
/// thread. A socket is used once: after any failure its owner drops it and opens a new one.
final class RedisSocket {
    private let context: HiredisContext
    private let loop: RedisEventLoop
    private let handler: UInt64
    /// Tells this socket's events from those of the owner's earlier sockets.
    let generation: UInt32
    /// When connecting (including the URL's `AUTH` and `SELECT`) counts as failed.
    let connectDeadline: ContinuousClock.Instant
    /// The non-blocking connect finished; commands may be written.
    private(set) var isConnected = false
    /// Connected, and the server accepted the URL's `AUTH` and `SELECT`.
    var isEstablished: Bool { isConnected && preamble.isEmpty }
    /// The commands sent on the owner's behalf whose replies are still due, oldest first.
    private var preamble: [RedisCommand] = []
    private var isWatchingWrites = true

    /// Starts connecting and queues the URL's `AUTH` and `SELECT`, so they go out first with whatever the
    /// owner appends meanwhile: no extra round trip.
    /// - Throws: `RedisError` when connecting fails at once.
    init(
        url: RedisURL, configuration: RedisConfiguration, loop: RedisEventLoop, handler: UInt64, generation: UInt32
    ) throws(RedisError) {
        context = try HiredisContext(connectingTo: url)
        self.loop = loop
        self.handler = handler
        self.generation = generation
        connectDeadline = loop.now + configuration.connectTimeout
        if let password = url.password {
            preamble.append(url.username.map { RedisCommand("AUTH", $0, password) } ?? RedisCommand("AUTH", password))
        }
        if url.database != 0 {
            preamble.append(RedisCommand("SELECT", url.database))
        }
        if !preamble.isEmpty {
            try context.append(WireCommands(preamble), name: preamble[0].name)
        }
        loop.watch(context.fileDescriptor, handler: handler, generation: generation, writable: true)
    }

    /// Stops watching the socket; hiredis closes it when the socket is dropped.
    func close() {
        loop.forget(context.fileDescriptor)
    }

    /// Queues a command behind those already queued; `flush()` writes it.
    func append(_ command: RedisCommand) throws(RedisError) {
        try context.append(WireCommands([command]), name: command.name)
    }

    /// Queues a request's encoded commands behind those already queued; `flush()` writes them.
    func append(_ request: PendingRequest) throws(RedisError) {
        try context.append(request.wire, name: request.name)
    }

    /// Writes what is queued, once connected; watches for writability while the socket cannot take it all.
    func flush() throws(RedisError) {
        guard isConnected else { return }
        let done = try context.write()
        if done == isWatchingWrites {
            isWatchingWrites = !done
            loop.change(context.fileDescriptor, handler: handler, generation: generation, writable: !done)
        }
    }

    /// Reacts to readiness: finishes connecting, reads replies, writes what waits.
    /// - Parameters:
    ///   - readiness: what the socket is ready for.
    ///   - established: called once the connection is usable (connected, `AUTH` and `SELECT` accepted).
    ///   - messages: when given, called with each pub/sub message instead of `reply` (a subscriber's socket).
    ///   - reply: called with each reply to the owner's commands, in order.
    /// - Throws: `RedisError` when the socket failed or the server refused `AUTH` or `SELECT`.
    func handle(
        _ readiness: EventPoller.Readiness, established: () -> Void,
        messages: ((RedisPubSubMessage) throws(RedisError) -> Void)? = nil,
        reply: (RedisReply) throws(RedisError) -> Void
    ) throws(RedisError) {
        if !isConnected {
            guard readiness.writable || readiness.failed else { return }
            try context.finishConnecting()
            isConnected = true
            if preamble.isEmpty { established() }
            try flush()
        }
        if readiness.readable || readiness.failed {
            try context.readReplies(messages: messages) { (received: RedisReply) throws(RedisError) in
                guard !preamble.isEmpty else { return try reply(received) }
                let command = preamble.removeFirst()
                if case .error(let message) = received {
                    let name = command.name == "SELECT" ? "SELECT \(context.url.database)" : command.name
                    throw RedisError(reply: message, "Redis at \(context.url) refused \(name): \(message)")
                }
                if preamble.isEmpty { established() }
            }
        }
        if readiness.writable && isWatchingWrites {
            try flush()
        }
    }
}
