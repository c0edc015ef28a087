/// The HTTP server could not start.
public struct HTTPServerError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var message: String

    public var description: String { message }
}
