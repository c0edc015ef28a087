/// Why a message could not be read as an event, or its data as a service's payload.
///
/// The message says what is wrong and where, e.g. `data.items[0].quantity: expected a number, found string`,
/// and is what the dead-letter store records as the reason.
public struct CloudEventError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of problem.
    public enum Code: String, Sendable, Equatable {
        /// Larger than the event size limit.
        case tooLarge = "too_large"
        /// Not valid JSON (or not UTF-8).
        case notJSON = "not_json"
        /// Valid JSON, but not an object.
        case notAnObject = "not_an_object"
        /// An envelope with a `specversion` other than `1.0`.
        case unsupportedSpecVersion = "unsupported_specversion"
        /// A required attribute or data field is absent.
        case missingField = "missing_field"
        /// An attribute or data field has the wrong JSON type or an invalid value.
        case invalidField = "invalid_field"
        /// The envelope's `type` differs from the channel it arrived on.
        case typeMismatch = "type_mismatch"
    }

    /// The kind of problem.
    public var code: Code
    /// What is wrong and where.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
