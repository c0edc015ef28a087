import CMicroHTTPD
import Synchronization

/// The body of a streamed response: a buffer the producer fills and MHD drains.
///
/// When MHD asks for bytes and none are buffered, the connection is suspended, so an idle event stream
/// holds no thread; the next `write` (or `finish`) resumes it. Suspending and resuming happen under the
/// same lock, so a write can never slip between the check and the suspend.
final class StreamedBody: ResponseBodyWriter, Sendable {
    private struct State {
        var buffer: [UInt8] = []
        var finished = false
        var suspended = false
        var closed = false
    }

    private let connection: ConnectionHandle
    private let state = Mutex(State())

    init(connection: ConnectionHandle) {
        self.connection = connection
    }

    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool {
        state.withLock { state in
            guard !state.closed, !state.finished else { return false }
            state.buffer += bytes
            wake(&state)
            return true
        }
    }

    var bufferedByteCount: Int {
        state.withLock { $0.buffer.count }
    }

    /// Ends the body once the buffer is drained.
    func finish() {
        state.withLock { state in
            state.finished = true
            wake(&state)
        }
    }

    /// MHD's request for at most `capacity` bytes: the count copied, 0 after suspending, or end of stream.
    func read(into destination: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        state.withLock { state in
            if !state.buffer.isEmpty {
                let count = min(capacity, state.buffer.count)
                state.buffer.withUnsafeBytes { source in
                    UnsafeMutableRawPointer(destination).copyMemory(from: source.baseAddress!, byteCount: count)
                }
                state.buffer.removeFirst(count)
                return count
            }
            if state.finished || state.closed { return cmhd_end_of_stream() }
            state.suspended = true
            connection.suspend()
            return 0
        }
    }

    /// MHD is done with the response (sent, or the connection closed): later writes return false.
    func close() {
        state.withLock { $0.closed = true }
    }

    private func wake(_ state: inout State) {
        guard state.suspended else { return }
        state.suspended = false
        connection.resume()
    }
}
