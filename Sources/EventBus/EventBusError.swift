/// A failure of the bus: the broker is unreachable or refused an operation.
public struct EventBusError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: String, Sendable, Equatable {
        /// The broker cannot be reached now; trying later may work.
        case unavailable
        /// The broker refused the operation.
        case rejected
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
}
