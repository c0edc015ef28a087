/// Starting or talking to a test's `redis-server` failed.
public struct RedisServerError: Error, Sendable, CustomStringConvertible {
    /// What failed.
    public var message: String

    /// Creates the error.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
