import Containers
import Telemetry

/// The connection of one `RedisClient`, driven by the event loop.
///
/// Requests arrive through the loop's inbox and are appended to the socket's output buffer in order; the
/// loop writes the buffer once per turn, and replies are matched to requests first in, first out. Touched
/// only on the loop's thread, which is why it may be `@unchecked Sendable`.
///
/// - The socket opens lazily, on the first request, and after it broke, on the next one.
/// - A failed attempt starts a backoff with jitter, during which requests fail at once with `.unavailable`.
/// - A request whose reply has not come within `commandTimeout` fails with `.timeout`, and so does every
///   request behind it: the connection is closed, since its replies no longer line up with its requests.
/// - When the server closes the connection, requests in flight fail with `.connectionLost`, except when
///   they went out on a connection that had been idle (a server restart shows only on the next use): those
///   are re-sent once on a new connection, as nothing came back from them.
/// - With a `redis+sentinel://` URL it connects to the primary the Sentinels name, holding requests while
///   they are asked, and asks again after the connection broke or the server answered `READONLY`,
///   `LOADING` or `MASTERDOWN` (that reply still goes to its caller; the connection is then closed).
final class CommandConnection: EventLoopHandler, @unchecked Sendable {
    let loop: RedisEventLoop
    let url: RedisURL
    /// Where it connects: the URL's server, or the primary its Sentinels name.
    let locator: ServerLocator
    private let configuration: RedisConfiguration
    private let logger: Logger
    private var id: UInt64?
    private var socket: RedisSocket?
    /// The server the socket connects to: the URL's, or the primary the Sentinels named.
    private var server: RedisURL?
    /// The locator's epoch when `server` was chosen: when it changed, the Sentinels named another primary.
    private var serverEpoch: UInt64 = 0
    /// Requests held while the Sentinels are asked for the primary.
    private var waiting: [PendingRequest] = []
    private var isResolving = false
    private var isShutDown = false
    private var generation: UInt32 = 0
    private var inFlight = FIFOQueue<PendingRequest>()
    private var health: ConnectionHealth
    /// The requests in flight went out on a connection that was idle, and nothing came back since.
    private var wentOutWhileIdle = false

    init(url: RedisURL, configuration: RedisConfiguration, logger: Logger) {
        self.url = url
        self.locator = ServerLocator(url: url, configuration: configuration, logger: logger)
        self.configuration = configuration
        self.logger = logger
        self.loop = configuration.eventLoop
        self.health = ConnectionHealth(backoff: configuration.backoff)
    }

    // MARK: - Requests

    /// Appends the request's commands to the output buffer, opening the socket first if needed.
    func enqueue(_ request: PendingRequest) {
        let socket: RedisSocket
        do {
            guard let opened = try openSocket() else {
                waiting.append(request)
                return
            }
            socket = opened
        } catch {
            request.fail(error)
            return
        }
        if socket.isEstablished && inFlight.isEmpty {
            wentOutWhileIdle = true
        }
        request.deadline = configuration.commandTimeout.map { loop.now + $0 }
        inFlight.append(request)
        loop.requestWentOut(request)
        do {
            try socket.append(request)
        } catch {
            fail(socket, error)
            return
        }
        loop.scheduleFlush(id!)
    }

    /// Closes the socket, failing what is in flight with `error`; the next request opens a new one.
    func close(failing error: RedisError) {
        closeSocket()
        failAll(error)
        for request in waiting { request.fail(error) }
        waiting.removeAll()
    }

    /// Closes for good, as the client is gone.
    func shutDown() {
        isShutDown = true
        close(failing: RedisError(.closed, "the Redis client for \(url) was shut down"))
        if let id { loop.remove(id) }
        id = nil
    }

    /// The socket, opened if needed; `nil` while the Sentinels are asked for the primary.
    private func openSocket() throws(RedisError) -> RedisSocket? {
        if let socket {
            guard serverEpoch != locator.epoch else { return socket }
            lost(RedisError(.connectionLost, """
                the Sentinels named a new primary; the requests in flight to \(server ?? url) may or may not have \
                been carried out
                """))
            if let socket = self.socket { return socket }
        }
        if isResolving { return nil }
        if isShutDown { throw RedisError(.closed, "the Redis client for \(url) was shut down") }
        if let refusal = health.refusal(at: loop.now, url: url) { throw refusal }
        let epoch = locator.epoch
        guard let server = locator.server(loop: loop, resolved: { [self] error in resolved(error) }) else {
            isResolving = true
            return nil
        }
        self.server = server
        serverEpoch = epoch
        let id = self.id ?? loop.add(self)
        self.id = id
        generation &+= 1
        do {
            let opened = try RedisSocket(
                url: server, configuration: configuration, loop: loop, handler: id, generation: generation
            )
            socket = opened
            return opened
        } catch {
            attemptFailed(error)
            throw error
        }
    }

    /// The Sentinels answered: send the held requests to the primary, or fail them and back off.
    private func resolved(_ error: RedisError?) {
        isResolving = false
        let held = waiting
        waiting.removeAll()
        if let error {
            if health.attemptFailed(error, at: loop.now) {
                logger.warning("cannot find the Redis primary", metadata: ["redis.url": "\(url)", "error": error.message])
            }
            for request in held { request.fail(error) }
        } else {
            for request in held { enqueue(request) }
        }
    }

    // MARK: - EventLoopHandler

    func handle(_ readiness: EventPoller.Readiness, generation: UInt32) {
        guard let socket, socket.generation == generation else { return }
        do {
            try socket.handle(readiness, established: established, reply: receive)
        } catch {
            fail(socket, error)
        }
    }

    var deadline: ContinuousClock.Instant? {
        guard let socket else { return nil }
        let replyDue = inFlight.first?.deadline
        guard !socket.isEstablished else { return replyDue }
        return min(socket.connectDeadline, replyDue ?? socket.connectDeadline)
    }

    func deadlineReached() {
        guard let socket else { return }
        if !socket.isEstablished && loop.now >= socket.connectDeadline {
            attemptFailed(HiredisContext.connectTimedOut(url: server ?? url))
        } else if let head = inFlight.first, let due = head.deadline, loop.now >= due {
            let timeout = configuration.commandTimeout ?? .zero
            lost(RedisError(.timeout, """
                Redis at \(server ?? url) did not answer in time (\(head.name), waited \(timeout)); the connection is \
                closed and re-opened, and the \(inFlight.count) requests in flight on it fail (is redis-server \
                stopped or overloaded? A slow command needs a longer commandTimeout)
                """))
        }
    }

    func flush() {
        guard let socket else { return }
        do {
            try socket.flush()
        } catch {
            fail(socket, error)
        }
    }

    // MARK: - Replies and failures

    private func established() {
        if health.established() {
            logger.notice("Redis connection restored", metadata: ["redis.url": "\(server ?? url)"])
        }
    }

    private func receive(_ reply: RedisReply) throws(RedisError) {
        wentOutWhileIdle = false
        guard let head = inFlight.first else {
            throw RedisError(.protocolError, "Redis at \(url) sent a reply no request was waiting for: \(reply)")
        }
        if head.receive(reply) {
            loop.requestCompleted(inFlight.removeFirst())
        }
        if locator.isNotPrimary(reply) {
            throw RedisError(.connectionLost, """
                Redis at \(server ?? url) is not the primary (it answered \(reply)); asking the Sentinels again
                """)
        }
    }

    private func fail(_ socket: RedisSocket, _ error: RedisError) {
        if socket.isEstablished {
            lost(error)
        } else {
            attemptFailed(error)
        }
    }

    /// Connecting failed (or the server refused `AUTH`/`SELECT`): everything waiting fails, and a backoff starts.
    private func attemptFailed(_ error: RedisError) {
        locator.forget(server)
        closeSocket()
        if health.attemptFailed(error, at: loop.now) {
            logger.warning("cannot connect to Redis", metadata: ["redis.url": "\(url)", "error": error.message])
        }
        failAll(error)
    }

    /// A working connection broke or timed out: requests in flight fail, or are re-sent once when they went
    /// out on an idle connection.
    private func lost(_ error: RedisError) {
        let retry = wentOutWhileIdle && error.code != .timeout
        locator.forget(server)
        closeSocket()
        if health.lost() {
            logger.warning("Redis connection lost", metadata: ["redis.url": "\(url)", "error": error.message])
        }
        for request in takeInFlight() {
            if retry && !request.wasRetried {
                request.wasRetried = true
                enqueue(request)
            } else {
                request.fail(error)
            }
        }
    }

    private func failAll(_ error: RedisError) {
        for request in takeInFlight() {
            request.fail(error)
        }
    }

    /// Empties the requests in flight, which the loop stops counting, and returns them in order.
    private func takeInFlight() -> [PendingRequest] {
        let requests = inFlight.removeAll()
        for request in requests { loop.requestCompleted(request) }
        return requests
    }

    private func closeSocket() {
        socket?.close()
        socket = nil
        wentOutWhileIdle = false
    }
}
