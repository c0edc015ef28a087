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
        /// Redis answered that it cannot serve commands yet: it is loading its data after a start (`LOADING`),
        /// or is a replica that lost its primary (`MASTERDOWN`), or a Redis Cluster cannot serve the slot
        /// (`CLUSTERDOWN`, `TRYAGAIN`, after the client's own retries). Asking again a moment later succeeds.
        case notReady
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

    /// The error of an error reply: `.notReady` when the reply says the server cannot serve yet, `.server`
    /// for every other refusal.
    /// - Parameters:
    ///   - reply: the error reply's text, e.g. `LOADING Redis is loading the dataset in memory`.
    ///   - message: what happened, in words.
    public init(reply: String, _ message: String) {
        let notReady = Self.notReadyPrefixes.contains { reply.hasPrefix($0) }
        self.init(notReady ? .notReady : .server, message)
    }

    /// The error replies of a server that cannot serve yet but will.
    private static let notReadyPrefixes = ["LOADING", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN"]

    public var description: String { message }

    /// Whether asking again later may succeed: the server could not be reached, or said it is not ready yet.
    /// A refusal of the command itself (`.server`) is not transient: asking again gets the same answer.
    public var isTransient: Bool {
        switch code {
        case .connectionRefused, .connectionFailed, .connectionLost, .timeout, .unavailable, .notReady: true
        case .invalidURL, .server, .protocolError, .closed: false
        }
    }
}
