import Synchronization
import Telemetry

/// The connection of one `RedisSubscription`, driven by the event loop.
///
/// Keeps the channels and patterns the subscription wants, subscribes to all of them on every new socket,
/// and reports `.subscribed` once Redis confirmed them all; `.disconnected` when the socket fails, then
/// reconnects after a backoff; with a `redis+sentinel://` URL, to the primary the Sentinels name then.
///
/// A `sharded` connection subscribes with `SSUBSCRIBE` (one command per hash slot, as a cluster requires)
/// and has no patterns. It is one node's share of a `ShardedSubscription` on a cluster: a channel the node
/// gives up (an `sunsubscribe` Redis sends by itself when the channel's slot moved away, or an error such as
/// `MOVED` answering `SSUBSCRIBE`) is dropped and passed to `lost`, for the subscription to place elsewhere.
/// Touched only on the loop's thread, which is why it may be
/// `@unchecked Sendable`; `isCancelled` is the one thing other threads touch.
final class SubscriptionConnection: EventLoopHandler, @unchecked Sendable {
    /// What happens once a group of confirmations is complete.
    private enum Completion {
        /// Everything is subscribed after a (re)connect: report `.subscribed`.
        case subscribed
        /// A caller of `subscribe`/`unsubscribe` waits.
        case caller(UnsafeContinuation<Void, Never>)
    }

    /// Confirmations Redis still owes for one batch of `(P|S)(UN)SUBSCRIBE` commands; Redis sends one per
    /// channel or pattern, in order, so batches complete in the order they were sent. A sharded connection
    /// owes one batch per command, whose `channels` are lost when the command is answered with an error.
    private struct Confirmations {
        var remaining: Int
        let completion: Completion?
        var channels: [String] = []
    }

    /// The replies that confirm one channel or pattern of a `(P|S)(UN)SUBSCRIBE`.
    private static let confirmationKinds = [
        "subscribe", "psubscribe", "unsubscribe", "punsubscribe", "ssubscribe", "sunsubscribe",
    ].map { Array($0.utf8) }
    private static let shardUnsubscribe = Array("sunsubscribe".utf8)

    let loop: RedisEventLoop
    /// Set (from any thread) by `cancel()`: no event is reported after it.
    let isCancelled = Atomic<Bool>(false)
    private let url: RedisURL
    private let locator: ServerLocator
    private let configuration: RedisConfiguration
    private let logger: Logger
    private let handler: @Sendable (RedisSubscriber.Event) -> Void
    /// Set for a sharded connection: called on the loop's thread with the channels it gave up.
    private let lost: (@Sendable ([String]) -> Void)?
    private var channels: Set<String>
    private var patterns: Set<String>
    private var id: UInt64?
    private var socket: RedisSocket?
    /// The server the socket connects to: the URL's, or the primary the Sentinels named.
    private var server: RedisURL?
    private var isResolving = false
    private var generation: UInt32 = 0
    private var owed: [Confirmations] = []
    private var health: ConnectionHealth

    init(
        url: RedisURL, configuration: RedisConfiguration, logger: Logger,
        channels: [String], patterns: [String], handler: @escaping @Sendable (RedisSubscriber.Event) -> Void,
        lost: (@Sendable ([String]) -> Void)? = nil
    ) {
        self.url = url
        self.locator = ServerLocator(url: url, configuration: configuration, logger: logger)
        self.configuration = configuration
        self.logger = logger
        self.loop = configuration.eventLoop
        self.channels = Set(channels)
        self.patterns = Set(patterns)
        self.handler = handler
        self.lost = lost
        self.health = ConnectionHealth(backoff: configuration.backoff)
    }

    // MARK: - Control, on the loop's thread

    /// Connects for the first time.
    func start() {
        guard !isCancelled.load(ordering: .relaxed) else { return }
        id = loop.add(self)
        connect()
    }

    /// Closes the socket and stops for good; callers waiting in `change` are resumed.
    func cancel() {
        closeSocket()
        if let id { loop.remove(id) }
        id = nil
    }

    /// Adds or removes channels and patterns, and resumes `continuation` once Redis confirmed the change, or
    /// at once when there is no connection (the next one subscribes to the new set).
    func change(
        adding: Bool, channels: [String], patterns: [String], continuation: UnsafeContinuation<Void, Never>
    ) {
        let changedChannels = channels.filter { adding ? self.channels.insert($0).inserted : self.channels.remove($0) != nil }
        let changedPatterns = patterns.filter { adding ? self.patterns.insert($0).inserted : self.patterns.remove($0) != nil }
        guard let socket, id != nil else {
            continuation.resume()
            return
        }
        do {
            try append(adding: adding, channels: changedChannels, patterns: changedPatterns, to: socket,
                       completion: .caller(continuation))
        } catch {
            failed(error)
            return
        }
        loop.scheduleFlush(id!)
        completeConfirmed()
    }

    /// Whether it subscribes with `SSUBSCRIBE`: it was made with `lost`.
    private var isSharded: Bool { lost != nil }

    /// Writes the commands that (un)subscribe `channels` and `patterns`, and what Redis then owes: one
    /// batch for them all, or on a sharded connection one per slot (a cluster refuses channels of several
    /// slots in one `SSUBSCRIBE`); `completion` comes with the last.
    private func append(
        adding: Bool, channels: [String], patterns: [String], to socket: RedisSocket, completion: Completion
    ) throws(RedisError) {
        guard isSharded else {
            owed.append(Confirmations(remaining: channels.count + patterns.count, completion: completion))
            if !channels.isEmpty {
                try socket.append(RedisCommand(name: adding ? "SUBSCRIBE" : "UNSUBSCRIBE", arguments: channels))
            }
            if !patterns.isEmpty {
                try socket.append(RedisCommand(name: adding ? "PSUBSCRIBE" : "PUNSUBSCRIBE", arguments: patterns))
            }
            return
        }
        let slots = Dictionary(grouping: channels) { HashSlot(key: $0) }.values
        for (number, share) in slots.enumerated() {
            owed.append(Confirmations(remaining: share.count, completion: number == slots.count - 1 ? completion : nil,
                                      channels: share))
            try socket.append(RedisCommand(name: adding ? "SSUBSCRIBE" : "SUNSUBSCRIBE", arguments: share))
        }
        if slots.isEmpty { owed.append(Confirmations(remaining: 0, completion: completion)) }
    }

    private func connect() {
        guard let id, !isResolving else { return }
        let located = locator.server(loop: loop) { [self] error in
            isResolving = false
            if let error { failed(error) } else { connect() }
        }
        guard let server = located else {
            isResolving = true
            return
        }
        self.server = server
        generation &+= 1
        do {
            let opened = try RedisSocket(
                url: server, configuration: configuration, loop: loop, handler: id, generation: generation
            )
            socket = opened
            owed = []
            try append(adding: true, channels: Array(channels), patterns: Array(patterns), to: opened,
                       completion: .subscribed)
        } catch {
            failed(error)
        }
    }

    // MARK: - EventLoopHandler

    func handle(_ readiness: EventPoller.Readiness, generation: UInt32) {
        guard let socket, socket.generation == generation else { return }
        do {
            try socket.handle(readiness, established: completeConfirmed, messages: deliver, reply: receive)
        } catch {
            failed(error)
        }
    }

    var deadline: ContinuousClock.Instant? {
        guard !isResolving else { return nil }
        guard let socket else { return health.retryAt }
        return socket.isEstablished ? nil : socket.connectDeadline
    }

    func deadlineReached() {
        if let socket {
            if !socket.isEstablished && loop.now >= socket.connectDeadline {
                failed(HiredisContext.connectTimedOut(url: server ?? url))
            }
        } else if let retryAt = health.retryAt, loop.now >= retryAt {
            connect()
        }
    }

    func flush() {
        guard let socket else { return }
        do {
            try socket.flush()
        } catch {
            failed(error)
        }
    }

    // MARK: - Replies and failures

    private func receive(_ reply: RedisReply) {
        if case .error(let message) = reply, isSharded {
            refused(message)
            return
        }
        // Messages do not come here: the socket hands them to `report` straight from hiredis's reply.
        guard case .array(let parts) = reply, case .bulkString(let kind)? = parts.first else { return }
        switch parts.count {
        case 3 where kind.elementsEqual(Self.shardUnsubscribe) && parts[1].string.map(channels.contains) == true:
            // Not a confirmation: the server dropped a channel we still want, as its slot moved away.
            let channel = parts[1].string!
            channels.remove(channel)
            lost?([channel])
        case 3 where Self.confirmationKinds.contains(where: kind.elementsEqual):
            if !owed.isEmpty { owed[0].remaining -= 1 }
            completeConfirmed()
        default:
            return
        }
    }

    /// The oldest command still owed was answered with an error (`MOVED` when the node does not serve the
    /// slot): its channels are given up, for the sharded subscription to place on the right node.
    private func refused(_ message: String) {
        guard let oldest = owed.firstIndex(where: { $0.remaining > 0 }) else { return }
        let refused = owed[oldest].channels.filter { channels.remove($0) != nil }
        owed[oldest].remaining = 0
        logger.info("Redis refused a sharded subscription",
                    metadata: ["redis.url": "\(server ?? url)", "channels": "\(refused.count)", "error": message])
        completeConfirmed()
        if !refused.isEmpty { lost?(refused) }
    }

    /// Completes the oldest batches whose confirmations all came, once the socket is established.
    private func completeConfirmed() {
        guard socket?.isEstablished == true else { return }
        while let first = owed.first, first.remaining <= 0 {
            owed.removeFirst()
            switch first.completion {
            case nil:
                continue
            case .subscribed?:
                if health.established() {
                    logger.notice("Redis subscription restored", metadata: ["redis.url": "\(server ?? url)"])
                }
                report(.subscribed)
            case .caller(let continuation)?:
                continuation.resume()
            }
        }
    }

    /// The socket failed or could not be made: report it, and reconnect after a backoff.
    private func failed(_ error: RedisError) {
        locator.forget(server)
        closeSocket()
        guard id != nil else { return }
        if health.attemptFailed(error, at: loop.now) {
            logger.warning("Redis subscription lost, reconnecting",
                           metadata: ["redis.url": "\(url)", "error": error.message])
        }
        report(.disconnected(error))
    }

    private func closeSocket() {
        socket?.close()
        socket = nil
        for confirmations in owed {
            if case .caller(let continuation)? = confirmations.completion { continuation.resume() }
        }
        owed.removeAll()
    }

    /// Hands a received message on: what the socket calls for each one (a method, so no closure is made per read).
    private func deliver(_ message: RedisPubSubMessage) {
        report(.message(message))
    }

    private func report(_ event: RedisSubscriber.Event) {
        guard !isCancelled.load(ordering: .relaxed) else { return }
        handler(event)
    }
}
