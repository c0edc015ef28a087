/// A command's failure: the one line printed and the exit code.
public struct CommandFailure: Error, Sendable, CustomStringConvertible {
    /// The exit code.
    public var exitCode: ExitCode
    /// One line saying what failed and where.
    public var message: String

    /// Creates a failure.
    public init(_ exitCode: ExitCode, _ message: String) {
        self.exitCode = exitCode
        self.message = message
    }

    public var description: String { message }
}
