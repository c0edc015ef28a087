import JSONBytes

extension CloudEventError {
    /// Turns a `JSONReaderError` from reading a payload into a message that names the field, e.g.
    /// `data.items[0].quantity has the wrong type, expected a number, found a string`.
    /// - Parameters:
    ///   - error: what the reader threw.
    ///   - root: the name of the value read, e.g. `data`.
    public init(reading error: JSONReaderError, in root: String) {
        switch error.kind {
        case .missingMember, .nullValue: self.init(.missingField, error.message(root: root))
        case .typeMismatch, .invalidValue, .syntax: self.init(.invalidField, error.message(root: root))
        }
    }
}
