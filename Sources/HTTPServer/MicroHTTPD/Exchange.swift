import Synchronization

/// One request on its way through MHD: headers, the body as it arrives, then the handler's answer.
///
/// Created on MHD's first call for a request and released by its completion callback. The handler
/// runs in a Swift task while the connection is suspended; its answer is stored here before the
/// connection is resumed, and MHD's next call queues it.
final class Exchange: Sendable {
    enum Phase {
        case reading
        case handling
        case answered(HTTPResponse)
        case queued
    }

    private struct State {
        var body: [UInt8] = []
        var bodyTooLarge = false
        var phase = Phase.reading
    }

    let method: String
    let path: String
    let headers: [(name: String, value: String)]
    private let state = Mutex(State())

    init(method: String, path: String, headers: [(name: String, value: String)], bodyTooLarge: Bool) {
        self.method = method
        self.path = path
        self.headers = headers
        state.withLock { $0.bodyTooLarge = bodyTooLarge }
    }

    /// Appends a piece of the body; past `limit` the body is dropped and only the fact is kept.
    func append(_ bytes: UnsafeBufferPointer<UInt8>, limit: Int) {
        state.withLock { state in
            guard !state.bodyTooLarge else { return }
            if state.body.count + bytes.count > limit {
                state.bodyTooLarge = true
                state.body = []
            } else {
                state.body.append(contentsOf: bytes)
            }
        }
    }

    var bodyTooLarge: Bool { state.withLock { $0.bodyTooLarge } }

    /// The request, once the body is complete.
    var request: HTTPRequest {
        HTTPRequest(method: method, path: path, headers: headers, body: state.withLock { $0.body })
    }

    /// Moves to a new phase and returns the one before.
    func transition(to phase: Phase) -> Phase {
        state.withLock { state in
            let previous = state.phase
            state.phase = phase
            return previous
        }
    }
}
