#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How the HTTP server listens and protects itself.
public struct HTTPServerConfiguration: Sendable {
    /// The TCP port; 0 picks a free one (`HTTPServer.start()` returns it).
    public var port: Int
    /// Threads polling sockets (epoll); by default one per core.
    public var threads: Int
    /// The most connections open at once; more are refused.
    public var connectionLimit: Int
    /// The most connections from one IP address at once; 0 for no limit.
    public var connectionsPerAddress: Int
    /// Seconds a connection may stay idle (or trickle a request) before it is closed.
    public var idleTimeoutSeconds: Int
    /// The largest request body accepted; larger ones are answered `413`.
    public var maximumBodySize: Int
    /// The memory each connection's buffers may use (request head, body pieces on their way, response
    /// head), which bounds the server's memory at `connectionLimit` connections: 16 KiB × 4,096 = 64 MiB.
    /// Bodies are handed over in pieces, so they may be larger; a request head larger than about 12 KiB at
    /// 16 KiB is answered `431`.
    public var connectionMemory: Int
    /// Where the handlers' tasks run: `nil` for the global concurrent pool, or an executor they should
    /// prefer, such as the event loop of the connections they call on, so that a reply resumes its handler
    /// without a hand-off between threads.
    public var handlerExecutor: (any TaskExecutor)?

    /// Creates a configuration.
    public init(
        port: Int = 8080, threads: Int = HTTPServerConfiguration.coreCount, connectionLimit: Int = 4096,
        connectionsPerAddress: Int = 0, idleTimeoutSeconds: Int = 10, maximumBodySize: Int = 64 * 1024,
        connectionMemory: Int = 16 * 1024, handlerExecutor: (any TaskExecutor)? = nil
    ) {
        self.port = port
        self.threads = threads
        self.connectionLimit = connectionLimit
        self.connectionsPerAddress = connectionsPerAddress
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.maximumBodySize = maximumBodySize
        self.connectionMemory = connectionMemory
        self.handlerExecutor = handlerExecutor
    }

    /// The number of cores this process may use.
    public static var coreCount: Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }
}
