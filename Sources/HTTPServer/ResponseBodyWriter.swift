/// Writes the body of a streamed response.
///
/// Writes are buffered and sent as the client reads them; the connection is suspended (no thread is
/// held) while there is nothing to send.
public protocol ResponseBodyWriter: Sendable {
    /// Queues bytes to send. Returns false once the client is gone or the server stops, after which
    /// the producer should return.
    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool

    /// The bytes queued but not yet taken by the connection: what a producer checks to cut a client that
    /// reads slower than it writes, rather than queue without bound.
    var bufferedByteCount: Int { get }
}
