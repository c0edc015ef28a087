import CMicroHTTPD
import Synchronization
import Telemetry

/// A running GNU libmicrohttpd daemon: epoll on a pool of threads sized to the machine, suspend/resume
/// for requests whose answers take time, and limits on connections, idle time and memory.
///
/// MHD's threads only move bytes: each complete request is handed to a Swift task and its connection
/// suspended until the answer is ready, so a slow handler (`Prefer: wait`, an event stream) holds no
/// thread. The callbacks are plain C functions that find this object through their closure pointer.
final class MicroHTTPDDaemon: Sendable {
    /// The daemon pointer; MHD's quiesce and stop calls may come from any thread.
    private struct DaemonHandle: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    private struct State {
        var daemon: DaemonHandle?
        /// Requests whose handlers run, their connections suspended; whoever takes one out answers it.
        var handling: [ObjectIdentifier: (exchange: Exchange, connection: ConnectionHandle)] = [:]
        /// Requests whose handlers answered (or `stop` answered 503), until MHD has sent the answer: `stop`
        /// waits for them, so an answer given within the grace period reaches its client.
        var sending: Set<ObjectIdentifier> = []
        var stopping = false
        var streams: [ObjectIdentifier: StreamedBody] = [:]
    }

    let configuration: HTTPServerConfiguration
    let gate: @Sendable (HTTPRequest) -> HTTPResponse?
    let handler: HTTPServer.Handler
    let logger: Logger
    private let state = Mutex(State())

    init(configuration: HTTPServerConfiguration, logger: Logger,
         gate: @escaping @Sendable (HTTPRequest) -> HTTPResponse?, handler: @escaping HTTPServer.Handler) {
        self.configuration = configuration
        self.gate = gate
        self.logger = logger
        self.handler = handler
    }

    /// Starts listening; returns the port.
    func start() throws(HTTPServerError) -> Int {
        let flags = UInt32(MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_EPOLL.rawValue
            | MHD_ALLOW_SUSPEND_RESUME.rawValue | MHD_USE_ERROR_LOG.rawValue)
        let context = Unmanaged.passUnretained(self).toOpaque()
        guard let daemon = cmhd_start_daemon(
            flags, UInt16(configuration.port), accessHandler, context, requestCompleted, context,
            UInt32(configuration.threads), UInt32(configuration.connectionLimit),
            UInt32(configuration.connectionsPerAddress), UInt32(configuration.idleTimeoutSeconds),
            configuration.connectionMemory
        ) else {
            throw HTTPServerError(message: "cannot listen on port \(configuration.port) (in use, or not permitted?)")
        }
        state.withLock { $0.daemon = DaemonHandle(pointer: daemon) }
        return Int(cmhd_daemon_port(daemon))
    }

    /// Stops accepting, ends event streams, waits up to `grace` for requests in flight, then closes.
    func stop(grace: Duration) async {
        let streams = state.withLock { state -> [StreamedBody] in
            state.stopping = true
            if let daemon = state.daemon {
                let listener = MHD_quiesce_daemon(daemon.pointer)
                if listener >= 0 { close(listener) }
            }
            return Array(state.streams.values)
        }
        streams.forEach { $0.finish() }
        let deadline = ContinuousClock.now + grace
        while state.withLock({ !$0.handling.isEmpty }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        // Requests still running when the grace period is over are answered 503 and resumed: MHD aborts the
        // process when it is stopped with a connection suspended.
        let late = state.withLock { state in state.handling.values.map(\.exchange) }
        late.forEach { answer($0, with: shuttingDown) }
        let sent = ContinuousClock.now + .seconds(1)
        while state.withLock({ !$0.sending.isEmpty }), ContinuousClock.now < sent {
            try? await Task.sleep(for: .milliseconds(10))
        }
        let daemon = state.withLock { state -> DaemonHandle? in
            defer { state.daemon = nil }
            return state.daemon
        }
        if let daemon { MHD_stop_daemon(daemon.pointer) }
    }

    // MARK: - Called from MHD's threads

    /// MHD's access handler: first call creates the exchange, later calls bring body pieces, the last
    /// call (no body left) dispatches to the handler or queues its answer.
    fileprivate func access(
        _ connection: OpaquePointer, url: String, method: String, upload: UnsafePointer<CChar>?,
        uploadSize: UnsafeMutablePointer<Int>, context: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    ) -> MHD_Result {
        guard let existing = context.pointee else {
            let headers = Self.headers(of: connection)
            let declared = headers.first { HTTPRequest.equalIgnoringASCIICase($0.name, "Content-Length") }.flatMap { Int($0.value) }
            let exchange = Exchange(method: method, path: url, headers: headers,
                                    bodyTooLarge: (declared ?? 0) > configuration.maximumBodySize)
            context.pointee = Unmanaged.passRetained(exchange).toOpaque()
            return .YES
        }
        let exchange = Unmanaged<Exchange>.fromOpaque(existing).takeUnretainedValue()
        if uploadSize.pointee > 0 {
            if let upload {
                exchange.append(UnsafeBufferPointer(start: UnsafeRawPointer(upload).assumingMemoryBound(to: UInt8.self),
                                                    count: uploadSize.pointee), limit: configuration.maximumBodySize)
            }
            uploadSize.pointee = 0
            return .YES
        }
        switch exchange.transition(to: .handling) {
        case .reading:
            if exchange.bodyTooLarge {
                _ = exchange.transition(to: .queued)
                return queue(tooLarge, on: connection)
            }
            let request = exchange.request
            if let early = gate(request) {
                _ = exchange.transition(to: .queued)
                return queue(early, on: connection)
            }
            let handle = ConnectionHandle(pointer: connection)
            let admitted = state.withLock { state -> Bool in
                guard !state.stopping else { return false }
                state.handling[ObjectIdentifier(exchange)] = (exchange, handle)
                return true
            }
            guard admitted else {
                _ = exchange.transition(to: .queued)
                return queue(shuttingDown, on: connection)
            }
            handle.suspend()
            Task(executorPreference: configuration.handlerExecutor) {
                self.answer(exchange, with: await self.handler(request))
            }
            return .YES
        case .answered(let response):
            _ = exchange.transition(to: .queued)
            return queue(response, on: connection)
        case .handling, .queued:
            return .YES
        }
    }

    /// Stores the answer of a suspended request and resumes its connection, unless it was answered
    /// already (by `stop` at the end of the grace period: the handler's late answer is dropped).
    private func answer(_ exchange: Exchange, with response: HTTPResponse) {
        let id = ObjectIdentifier(exchange)
        let entry = state.withLock { state in
            let entry = state.handling.removeValue(forKey: id)
            if entry != nil { state.sending.insert(id) }
            return entry
        }
        guard let entry else { return }
        _ = exchange.transition(to: .answered(response))
        entry.connection.resume()
    }

    fileprivate func completed(_ context: UnsafeMutablePointer<UnsafeMutableRawPointer?>?) {
        guard let context, let existing = context.pointee else { return }
        let exchange = ObjectIdentifier(Unmanaged<Exchange>.fromOpaque(existing).takeUnretainedValue())
        state.withLock { _ = $0.sending.remove(exchange) }
        Unmanaged<Exchange>.fromOpaque(existing).release()
        context.pointee = nil
    }

    fileprivate func streamEnded(_ stream: StreamedBody) {
        stream.close()
        _ = state.withLock { $0.streams.removeValue(forKey: ObjectIdentifier(stream)) }
    }

    private func queue(_ response: HTTPResponse, on connection: OpaquePointer) -> MHD_Result {
        let made: OpaquePointer?
        switch response.body {
        case .bytes(let bytes):
            made = bytes.withUnsafeBytes { buffer in
                MHD_create_response_from_buffer(buffer.count, UnsafeMutableRawPointer(mutating: buffer.baseAddress),
                                                .RESPMEM_MUST_COPY)
            }
        case .stream(let producer):
            let stream = StreamedBody(connection: ConnectionHandle(pointer: connection))
            state.withLock { $0.streams[ObjectIdentifier(stream)] = stream }
            let box = Unmanaged.passRetained(StreamBox(stream: stream, daemon: self)).toOpaque()
            made = MHD_create_response_from_callback(UInt64.max, 4096, readStream, box, releaseStream)
            Task(executorPreference: configuration.handlerExecutor) {
                await producer(stream)
                stream.finish()
            }
        }
        guard let made else { return .NO }
        defer { MHD_destroy_response(made) }
        for (name, value) in response.headers {
            _ = MHD_add_response_header(made, name, value)
        }
        return MHD_queue_response(connection, UInt32(response.status), made)
    }

    private var tooLarge: HTTPResponse {
        ProblemDetails(status: 413, type: "payload-too-large", title: "Payload Too Large",
                       detail: "the request body is over the limit of \(configuration.maximumBodySize) bytes")
            .response()
    }

    private var shuttingDown: HTTPResponse {
        ProblemDetails(status: 503, type: "shutting-down", title: "Service Unavailable",
                       detail: "the server is shutting down", headers: [("Connection", "close")]).response()
    }

    private static func headers(of connection: OpaquePointer) -> [(name: String, value: String)] {
        let collector = HeaderCollector()
        let context = Unmanaged.passUnretained(collector).toOpaque()
        _ = MHD_get_connection_values(connection, .HEADER_KIND, collectHeader, context)
        return collector.headers
    }
}

/// Gathers header fields during `MHD_get_connection_values`, on one MHD thread.
private final class HeaderCollector {
    var headers: [(name: String, value: String)] = []

    /// Room for a client's usual headers, so that collecting them does not grow the array three times over.
    init() {
        headers.reserveCapacity(12)
    }
}

/// What a streamed response's C callbacks need: the body and its daemon.
private final class StreamBox {
    let stream: StreamedBody
    let daemon: MicroHTTPDDaemon

    init(stream: StreamedBody, daemon: MicroHTTPDDaemon) {
        self.stream = stream
        self.daemon = daemon
    }
}

// MARK: - C callbacks (nonisolated, found through their closure pointers)

private let accessHandler: MHD_AccessHandlerCallback = { cls, connection, url, method, _, upload, size, context in
    guard let cls, let connection, let url, let method, let size, let context else { return .NO }
    let daemon = Unmanaged<MicroHTTPDDaemon>.fromOpaque(cls).takeUnretainedValue()
    return daemon.access(connection, url: String(cString: url), method: String(cString: method), upload: upload,
                         uploadSize: size, context: context)
}

private let requestCompleted: MHD_RequestCompletedCallback = { cls, _, context, _ in
    guard let cls else { return }
    Unmanaged<MicroHTTPDDaemon>.fromOpaque(cls).takeUnretainedValue().completed(context)
}

private let collectHeader: MHD_KeyValueIterator = { cls, _, key, value in
    guard let cls, let key else { return .YES }
    let collector = Unmanaged<HeaderCollector>.fromOpaque(cls).takeUnretainedValue()
    collector.headers.append((String(cString: key), value.map { String(cString: $0) } ?? ""))
    return .YES
}

private let readStream: MHD_ContentReaderCallback = { cls, _, buffer, capacity in
    guard let cls, let buffer else { return cmhd_end_with_error() }
    return Unmanaged<StreamBox>.fromOpaque(cls).takeUnretainedValue().stream.read(into: buffer, capacity: capacity)
}

private let releaseStream: MHD_ContentReaderFreeCallback = { cls in
    guard let cls else { return }
    let box = Unmanaged<StreamBox>.fromOpaque(cls).takeRetainedValue()
    box.daemon.streamEnded(box.stream)
}
