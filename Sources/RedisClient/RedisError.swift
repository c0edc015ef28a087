/// What went wrong talking to Redis, with a message a person can act on.
public struct RedisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure, for code that reacts to it.
    public enum Code: String, Sendable, Equatable {
        /// The URL could not be parsed.
        case invalidURL
        /// Nothing listens at the address.
        case connectionRefused
        /// The connection could not be made for another reason (unknown host, no such socket, …).
        case connectionFailed
        /// An established connection broke (server closed it, reset, restart).
        case connectionLost
        /// Connecting or waiting for a reply took longer than the configured timeout.
        case timeout
        /// Redis answered with an error reply (`-ERR …`, `-NOSCRIPT …`, …).
        case server
        /// The bytes from the server were not valid RESP.
        case protocolError
        /// A recent attempt to connect failed and the client is backing off before trying again.
        case unavailable
        /// The client or subscription was closed.
        case closed
    }

    /// The kind of failure.
    public var code: Code
    /// What happened, in words.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// Whether the failure is about reaching the server rather than about the command.
    public var isConnectionProblem: Bool {
        switch code {
        case .connectionRefused, .connectionFailed, .connectionLost, .timeout, .unavailable: true
        case .invalidURL, .server, .protocolError, .closed: false
        }
    }
}
