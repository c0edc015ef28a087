import CHiredis
#if canImport(Glibc)
import Glibc
#endif

/// One non-blocking hiredis connection: every call to hiredis lives in this folder.
///
/// hiredis formats commands into its output buffer (`redisAppendCommandArgv`) and parses replies with its
/// reader; when to write and read is the event loop's decision, so no call here ever blocks. Not
/// thread-safe, as hiredis contexts are not: only the event loop's thread touches it.
final class HiredisContext {
    private let context: UnsafeMutablePointer<redisContext>
    let url: RedisURL
    /// The socket, for the loop's `epoll` set.
    let fileDescriptor: Int32

    /// How much `redisBufferRead` reads at most in one call (hiredis 0.14's stack buffer).
    private static let readSize = 16 * 1_024
    /// The most `read(2)` calls in one go for one connection, so one busy connection cannot starve the others.
    private static let maximumReadsPerTurn = 16

    /// Starts connecting without waiting; once the socket is writable, `finishConnecting()` tells whether it
    /// worked. Failures known at once (no such socket, connection refused on loopback) are thrown here.
    init(connectingTo url: RedisURL) throws(RedisError) {
        _ = Self.brokenPipesIgnored
        let made: UnsafeMutablePointer<redisContext>? = switch url.endpoint {
        case .tcp(let host, let port): redisConnectNonBlock(host, Int32(port))
        case .unix(let path): redisConnectUnixNonBlock(path)
        case .sentinel(let sentinels):
            throw RedisError(.connectionFailed, """
                cannot connect to the Sentinel group \(sentinels) itself: its primary is found first (a bug in \
                the Redis client if you see this)
                """)
        case .cluster(let seeds):
            throw RedisError(.connectionFailed, """
                cannot connect to the Redis Cluster \(seeds) itself: each node is connected to on its own (a bug in \
                the Redis client if you see this)
                """)
        }
        guard let made else {
            throw RedisError(.connectionFailed, "cannot connect to Redis at \(url): out of memory")
        }
        if made.pointee.err != 0 {
            let error = Self.connectError(errno: chiredis_errno(), detail: Self.errorText(made), url: url)
            redisFree(made)
            throw error
        }
        self.context = made
        self.url = url
        self.fileDescriptor = made.pointee.fd
        if case .tcp = url.endpoint {
            _ = redisEnableKeepAlive(made)
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

    /// Checks, once the socket became writable, whether the non-blocking connect succeeded.
    func finishConnecting() throws(RedisError) {
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(fileDescriptor, SOL_SOCKET, SO_ERROR, &code, &length) != 0 {
            code = chiredis_errno()
        }
        guard code != 0 else { return }
        throw Self.connectError(errno: code, detail: String(cString: strerror(code)), url: url)
    }

    /// Copies commands already in the Redis protocol into the output buffer; nothing is written yet.
    /// - Parameters:
    ///   - commands: the encoded commands.
    ///   - name: the first command's name, for the message should hiredis run out of memory.
    func append(_ commands: WireCommands, name: @autoclosure () -> String) throws(RedisError) {
        let status = commands.bytes.withUnsafeBytes { bytes in
            redisAppendFormattedCommand(context, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count)
        }
        guard status == REDIS_OK else { throw failure(while: "sending \(name())") }
    }

    /// Writes as much of the output buffer as the socket takes.
    /// - Returns: whether the buffer is empty; when not, write again once the socket is writable.
    func write() throws(RedisError) -> Bool {
        var done: Int32 = 0
        while true {
            errno = 0
            guard redisBufferWrite(context, &done) == REDIS_OK else { throw failure(while: "sending commands") }
            if done != 0 { return true }
            if errno == EAGAIN || errno == EWOULDBLOCK { return false }
        }
    }

    /// Reads what the socket holds and hands every complete reply to `body`, in order, until the socket has
    /// no more (or after a bounded number of reads; the loop comes back, as the socket is still readable).
    /// - Parameters:
    ///   - messages: when given, takes each pub/sub message (`message`, `smessage`, `pmessage`) instead of
    ///     `body`, read straight from hiredis's reply rather than through a `RedisReply` tree: a subscriber's
    ///     connection receives little else.
    ///   - body: takes every other reply.
    func readReplies(
        messages: ((RedisPubSubMessage) throws(RedisError) -> Void)? = nil,
        _ body: (RedisReply) throws(RedisError) -> Void
    ) throws(RedisError) {
        for _ in 0..<Self.maximumReadsPerTurn {
            // `redisBufferRead` reads once into a 16 KiB buffer and appends what came to the reader's buffer;
            // less than that means the socket is drained, which saves a read that would only say `EAGAIN`.
            let buffered = context.pointee.reader.pointee.len
            guard redisBufferRead(context) == REDIS_OK else { throw failure(while: "waiting for a reply") }
            let drained = context.pointee.reader.pointee.len - buffered < Self.readSize
            while let raw = try nextReply() {
                defer { freeReplyObject(raw) }
                if let messages, let message = Self.pubSubMessage(from: raw) {
                    try messages(message)
                } else {
                    try body(Self.reply(from: raw))
                }
            }
            if drained { return }
        }
    }

    /// The next complete reply in the reader's buffer, for the caller to free; `nil` when none is complete.
    private func nextReply() throws(RedisError) -> UnsafeMutablePointer<redisReply>? {
        var raw: UnsafeMutableRawPointer?
        guard redisGetReplyFromReader(context, &raw) == REDIS_OK else { throw failure(while: "reading a reply") }
        return raw?.assumingMemoryBound(to: redisReply.self)
    }

    // MARK: - Errors

    private func failure(while action: String) -> RedisError {
        let detail = Self.errorText(context)
        switch context.pointee.err {
        case REDIS_ERR_EOF:
            return RedisError(.connectionLost, "Redis at \(url) closed the connection while \(action)")
        case REDIS_ERR_PROTOCOL:
            return RedisError(.protocolError, "Redis at \(url) sent an invalid reply while \(action): \(detail)")
        default:
            return RedisError(.connectionLost, "lost the connection to Redis at \(url) while \(action): \(detail)")
        }
    }

    /// Connecting took longer than the configured connect timeout.
    static func connectTimedOut(url: RedisURL) -> RedisError {
        connectError(errno: ETIMEDOUT, detail: "timed out", url: url)
    }

    private static func connectError(errno: Int32, detail: String, url: RedisURL) -> RedisError {
        let hint = "is redis-server running there? Set SWITCHBOARD_REDIS_URL or --redis to point elsewhere"
        if errno == ECONNREFUSED || detail.lowercased().contains("refused") {
            return RedisError(.connectionRefused, "cannot connect to Redis at \(url): connection refused (\(hint))")
        }
        if errno == ETIMEDOUT || detail.lowercased().contains("timed out") {
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

    /// A pub/sub message read straight from hiredis's reply: an array of `message` or `smessage`, channel and
    /// payload, or of `pmessage`, pattern, channel and payload, all bulk strings; `nil` for any other reply.
    private static func pubSubMessage(from reply: UnsafeMutablePointer<redisReply>) -> RedisPubSubMessage? {
        let value = reply.pointee
        guard value.type == REDIS_REPLY_ARRAY, value.elements == 3 || value.elements == 4 else { return nil }
        func part(_ index: Int) -> UnsafeRawBufferPointer? {
            let element = value.element[index]!.pointee
            guard element.type == REDIS_REPLY_STRING else { return nil }
            return UnsafeRawBufferPointer(start: element.str, count: element.str == nil ? 0 : Int(element.len))
        }
        guard let kind = part(0) else { return nil }
        if value.elements == 3, kind.elementsEqual("message".utf8) || kind.elementsEqual("smessage".utf8),
           let channel = part(1), let payload = part(2) {
            return RedisPubSubMessage(channel: String(decoding: channel, as: UTF8.self), payload: [UInt8](payload))
        }
        if value.elements == 4, kind.elementsEqual("pmessage".utf8), let pattern = part(1), let channel = part(2),
           let payload = part(3) {
            return RedisPubSubMessage(channel: String(decoding: channel, as: UTF8.self),
                                      pattern: String(decoding: pattern, as: UTF8.self), payload: [UInt8](payload))
        }
        return nil
    }

    private static func reply(from reply: UnsafeMutablePointer<redisReply>) -> RedisReply {
        let value = reply.pointee
        let bytes = UnsafeRawBufferPointer(start: value.str, count: value.str == nil ? 0 : Int(value.len))
        switch value.type {
        case REDIS_REPLY_STRING:
            return .bulkString([UInt8](bytes))
        case REDIS_REPLY_STATUS:
            return .simpleString(String(decoding: bytes, as: UTF8.self))
        case REDIS_REPLY_ERROR:
            return .error(String(decoding: bytes, as: UTF8.self))
        case REDIS_REPLY_INTEGER:
            return .number(Int(value.integer))
        case REDIS_REPLY_ARRAY:
            var elements: [RedisReply] = []
            elements.reserveCapacity(Int(value.elements))
            for index in 0..<Int(value.elements) {
                elements.append(Self.reply(from: value.element[index]!))
            }
            return .array(elements)
        default:
            return .null
        }
    }
}
