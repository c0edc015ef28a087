/// Why a service's stored record cannot be read as its record type: a field missing or not what it should
/// be. The store is at fault, not the event being handled (a key changed by hand, or written by a version
/// that stored something else): `ServiceRunner` dead-letters the message saying so, naming the record's key
/// (`ServiceRunner.Cause.unreadableRecord`), rather than calling the event invalid.
public struct RecordError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, naming the field.
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
