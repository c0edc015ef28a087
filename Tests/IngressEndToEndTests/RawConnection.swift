#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A plain TCP connection to 127.0.0.1 for the tests that an HTTP client cannot send: garbage bytes,
/// truncated requests, connections that stall halfway through a request line.
///
/// Reads never block a thread: they poll with `MSG_DONTWAIT` and sleep between tries, so hundreds of
/// connections can wait side by side on the test's cooperative threads.
final class RawConnection {
    /// What the server did with the connection while the test listened.
    struct Outcome {
        /// Everything received.
        var bytes: [UInt8]
        /// Whether the server closed (or reset) the connection.
        var closed: Bool

        /// The received bytes as text.
        var text: String { String(decoding: bytes, as: UTF8.self) }

        /// The status code of the first response received, if one was.
        var status: Int? {
            guard text.hasPrefix("HTTP/1."), let line = text.split(separator: "\r\n").first else { return nil }
            let parts = line.split(separator: " ")
            return parts.count >= 2 ? Int(parts[1]) : nil
        }
    }

    /// Sending or connecting failed.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private var descriptor: Int32

    /// Connects to `127.0.0.1:port`.
    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket() failed: errno \(errno)") }
        // A server that stops reading must not block the test in send() for ever.
        var sendTimeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &sendTimeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                connect(descriptor, generic, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else {
            let code = errno
            Glibc.close(descriptor)
            descriptor = -1
            throw Failure(description: "cannot connect to 127.0.0.1:\(port): errno \(code)")
        }
    }

    deinit {
        close()
    }

    /// Sends all of `bytes`; throws when the server closed the connection or stopped reading for 5 s.
    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { buffer in
                Glibc.send(descriptor, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { throw Failure(description: "send() failed: errno \(errno)") }
            offset += sent
        }
    }

    /// Sends `text` as UTF-8.
    func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    /// Says that nothing more will be sent, keeping the connection open for reading.
    func shutdownWriting() {
        _ = Glibc.shutdown(descriptor, Int32(SHUT_WR))
    }

    /// Collects what arrives until the server closes the connection, `timeout` runs out, or what arrived
    /// so far satisfies `enough`.
    func read(for timeout: Duration, until enough: (Outcome) -> Bool = { _ in false }) async -> Outcome {
        var outcome = Outcome(bytes: [], closed: false)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if poll(into: &outcome) || enough(outcome) { return outcome }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return outcome
    }

    /// Reads what is there without waiting; returns true once the connection is closed.
    func poll(into outcome: inout Outcome) -> Bool {
        guard descriptor >= 0 else {
            outcome.closed = true
            return true
        }
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { bytes in
                recv(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT))
            }
            if count > 0 {
                outcome.bytes += buffer[..<count]
                continue
            }
            if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                outcome.closed = true
                return true
            }
            return false
        }
    }

    /// Closes the connection.
    func close() {
        guard descriptor >= 0 else { return }
        Glibc.close(descriptor)
        descriptor = -1
    }
}
