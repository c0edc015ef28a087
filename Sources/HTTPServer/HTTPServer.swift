import Telemetry

/// An HTTP/1.1 server on GNU libmicrohttpd that answers requests with an async handler.
///
/// Bodies are read incrementally up to `maximumBodySize` (larger ones are answered `413`), connections
/// are kept alive, idle or trickling connections time out after `idleTimeoutSeconds`, and the number of
/// connections is capped, so slow clients cannot starve the others.
public final class HTTPServer: Sendable {
    /// What answers a request: a response for every request, errors included.
    public typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse

    private let daemon: MicroHTTPDDaemon

    /// Creates a server; it listens once `start()` is called.
    /// - Parameters:
    ///   - configuration: port, threads and limits.
    ///   - logger: for the server's own events.
    ///   - gate: sees each complete request first, on the I/O thread, and answers it there at once when it
    ///     returns a response, without a task or suspending the connection: the cheap path for shedding
    ///     load. It must not block. `nil` (its usual answer) passes the request to `handler`.
    ///   - handler: answers every request the gate passes (usually `Router.respond(to:)`, or a `Router.Match`).
    public init(configuration: HTTPServerConfiguration, logger: Logger,
                gate: @escaping @Sendable (HTTPRequest) -> HTTPResponse? = { _ in nil },
                handler: @escaping Handler) {
        self.daemon = MicroHTTPDDaemon(configuration: configuration, logger: logger, gate: gate, handler: handler)
    }

    /// Starts listening.
    /// - Returns: the port, useful when the configuration asked for port 0.
    /// - Throws: `HTTPServerError` when the port cannot be bound.
    @discardableResult
    public func start() throws(HTTPServerError) -> Int {
        try daemon.start()
    }

    /// Stops accepting connections, ends event streams, lets requests in flight finish for up to
    /// `grace`, then closes every connection.
    public func stop(grace: Duration = .seconds(5)) async {
        await daemon.stop(grace: grace)
    }
}
