import CHiredis
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One blocking hiredis connection: every call to hiredis lives in this folder.
///
/// Not thread-safe, as hiredis contexts are not: an owner confines it to one thread or serial queue
/// (`RedisClient` uses a serial `DispatchQueue`, `RedisSubscriber` a dedicated thread). The one call
/// that may come from another thread is `interrupt()`, which only shuts the socket down.
final class HiredisConnection {
    private let context: UnsafeMutablePointer<redisContext>
    let url: RedisURL
    /// The socket, for `shutdown(2)` from another thread.
    let fileDescriptor: Int32
    /// Set once a read or write failed: hiredis contexts cannot be used after that.
    private(set) var isBroken = false

    /// Connects, sets timeouts and keep-alive, and runs `AUTH` and `SELECT` from the URL.
    init(url: RedisURL, configuration: RedisConfiguration) throws(RedisError) {
        _ = Self.brokenPipesIgnored
        let timeout = Self.timeval(configuration.connectTimeout)
        let made: UnsafeMutablePointer<redisContext>? = switch url.endpoint {
        case .tcp(let host, let port): redisConnectWithTimeout(host, Int32(port), timeout)
        case .unix(let path): redisConnectUnixWithTimeout(path, timeout)
        }
        guard let made else {
            throw RedisError(.connectionFailed, "cannot connect to Redis at \(url): out of memory")
        }
        if made.pointee.err != 0 {
            let error = Self.connectError(made, url: url)
            redisFree(made)
            throw error
        }
        self.context = made
        self.url = url
        self.fileDescriptor = made.pointee.fd
        if case .tcp = url.endpoint {
            _ = redisEnableKeepAlive(made)
        }
        if let commandTimeout = configuration.commandTimeout {
            _ = redisSetTimeout(made, Self.timeval(commandTimeout))
        }
        if let password = url.password {
            let auth = url.username.map { RedisCommand("AUTH", $0, password) } ?? RedisCommand("AUTH", password)
            if case .error(let message) = try send(auth) {
                throw RedisError(.server, "Redis at \(url) refused AUTH: \(message)")
            }
        }
        if url.database != 0, case .error(let message) = try send(RedisCommand("SELECT", url.database)) {
            throw RedisError(.server, "Redis at \(url) refused SELECT \(url.database): \(message)")
        }
    }

    deinit {
        redisFree(context)
    }

    /// hiredis writes with `write(2)`, so writing to a connection the server has closed (a restart) raises
    /// `SIGPIPE`, whose default action kills the whole process. Ignored, the write fails with `EPIPE` and
    /// surfaces as `connectionLost`, which the client and subscriber recover from.
    private static let brokenPipesIgnored: Bool = {
        _ = signal(SIGPIPE, SIG_IGN)
        return true
    }()

    /// Sends one command and waits for its reply. Error replies are returned, not thrown.
    func send(_ command: RedisCommand) throws(RedisError) -> RedisReply {
        try append(command)
        return try readReply()
    }

    /// Sends every command, then reads every reply: one round trip for the lot.
    func pipeline(_ commands: [RedisCommand]) throws(RedisError) -> [RedisReply] {
        for command in commands {
            try append(command)
        }
        var replies: [RedisReply] = []
        replies.reserveCapacity(commands.count)
        for _ in commands {
            replies.append(try readReply())
        }
        return replies
    }

    /// Queues a command in the output buffer without waiting.
    func append(_ command: RedisCommand) throws(RedisError) {
        let status = Self.withArgv(command.arguments) { argc, argv, lengths in
            redisAppendCommandArgv(context, argc, argv, lengths)
        }
        guard status == REDIS_OK else { throw failure(while: "sending \(command.name)") }
    }

    /// Flushes what is queued and blocks until the next reply arrives.
    func readReply() throws(RedisError) -> RedisReply {
        var raw: UnsafeMutableRawPointer?
        guard redisGetReply(context, &raw) == REDIS_OK, let raw else {
            throw failure(while: "waiting for a reply")
        }
        defer { freeReplyObject(raw) }
        return Self.reply(from: raw.assumingMemoryBound(to: redisReply.self))
    }

    /// Wakes a thread blocked in `readReply()` by shutting the socket down; safe from any thread.
    func interrupt() {
        shutdown(fileDescriptor, Int32(SHUT_RDWR))
    }

    // MARK: - Errors

    private func failure(while action: String) -> RedisError {
        isBroken = true
        let errno = chiredis_errno()
        let detail = Self.errorText(context)
        switch context.pointee.err {
        case REDIS_ERR_EOF:
            return RedisError(.connectionLost, "Redis at \(url) closed the connection while \(action)")
        case REDIS_ERR_PROTOCOL:
            return RedisError(.protocolError, "Redis at \(url) sent an invalid reply while \(action): \(detail)")
        case REDIS_ERR_IO where errno == EAGAIN || errno == EWOULDBLOCK || errno == ETIMEDOUT:
            return RedisError(.timeout, "Redis at \(url) did not answer in time while \(action)")
        default:
            return RedisError(.connectionLost, "lost the connection to Redis at \(url) while \(action): \(detail)")
        }
    }

    private static func connectError(_ context: UnsafeMutablePointer<redisContext>, url: RedisURL) -> RedisError {
        let errno = chiredis_errno()
        let detail = errorText(context)
        let hint = "is redis-server running there? Set SWITCHBOARD_REDIS_URL or --redis to point elsewhere"
        if errno == ECONNREFUSED || detail.lowercased().contains("refused") {
            return RedisError(.connectionRefused, "cannot connect to Redis at \(url): connection refused (\(hint))")
        }
        if errno == ETIMEDOUT || errno == EINPROGRESS || detail.lowercased().contains("timed out") {
            return RedisError(.timeout, "cannot connect to Redis at \(url): timed out (\(hint))")
        }
        return RedisError(.connectionFailed, "cannot connect to Redis at \(url): \(detail) (\(hint))")
    }

    private static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { buffer in
            String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    // MARK: - C conversions

    private static func timeval(_ duration: Duration) -> timeval {
        let (seconds, attoseconds) = duration.components
        return Glibc.timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }

    /// Lays the arguments out in one buffer and calls `body` with argc, argv and the lengths.
    private static func withArgv<Result>(
        _ arguments: [[UInt8]],
        _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> Result
    ) -> Result {
        let total = arguments.reduce(0) { $0 + $1.count }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(total, 1)) { storage in
            var pointers: [UnsafePointer<CChar>?] = []
            var lengths: [Int] = []
            pointers.reserveCapacity(arguments.count)
            lengths.reserveCapacity(arguments.count)
            var offset = 0
            for argument in arguments {
                let start = storage.baseAddress! + offset
                argument.withUnsafeBufferPointer { bytes in
                    if let source = bytes.baseAddress { start.update(from: source, count: bytes.count) }
                }
                pointers.append(UnsafeRawPointer(start).assumingMemoryBound(to: CChar.self))
                lengths.append(argument.count)
                offset += argument.count
            }
            return pointers.withUnsafeMutableBufferPointer { argv in
                lengths.withUnsafeBufferPointer { body(Int32(arguments.count), argv.baseAddress!, $0.baseAddress!) }
            }
        }
    }

    private static func reply(from reply: UnsafeMutablePointer<redisReply>) -> RedisReply {
        let value = reply.pointee
        func text() -> [UInt8] {
            guard let pointer = value.str else { return [] }
            return Array(UnsafeRawBufferPointer(start: pointer, count: Int(value.len)))
        }
        switch value.type {
        case REDIS_REPLY_STRING:
            return .bulkString(text())
        case REDIS_REPLY_STATUS:
            return .simpleString(String(decoding: text(), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            return .error(String(decoding: text(), as: UTF8.self))
        case REDIS_REPLY_INTEGER:
            return .number(Int(value.integer))
        case REDIS_REPLY_ARRAY:
            let elements = (0..<Int(value.elements)).map { index in
                Self.reply(from: value.element[index]!)
            }
            return .array(elements)
        default:
            return .null
        }
    }
}
