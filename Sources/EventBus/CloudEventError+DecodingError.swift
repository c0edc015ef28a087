extension CloudEventError {
    /// Turns a `DecodingError` from decoding a payload into a message that names the field, e.g.
    /// `data.items[0].quantity: expected Int`.
    /// - Parameters:
    ///   - error: what `Decodable` threw.
    ///   - root: the name of the decoded value, e.g. `data`.
    public init(decoding error: DecodingError, in root: String) {
        func path(_ codingPath: [any CodingKey], appending key: (any CodingKey)? = nil) -> String {
            var text = root
            for component in codingPath + (key.map { [$0] } ?? []) {
                if let index = component.intValue {
                    text += "[\(index)]"
                } else {
                    text += ".\(component.stringValue)"
                }
            }
            return text
        }
        switch error {
        case .keyNotFound(let key, let context):
            self.init(.missingField, "\(path(context.codingPath, appending: key)) is missing")
        case .valueNotFound(let type, let context):
            self.init(.missingField, "\(path(context.codingPath)) is null, expected \(Self.name(of: type))")
        case .typeMismatch(let type, let context):
            self.init(.invalidField, "\(path(context.codingPath)) has the wrong type, expected \(Self.name(of: type))")
        case .dataCorrupted(let context):
            self.init(.invalidField, "\(path(context.codingPath)): \(context.debugDescription)")
        @unknown default:
            self.init(.invalidField, "\(root): \(error)")
        }
    }

    private static func name(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Double.Type: "a number"
        case is Bool.Type: "a boolean"
        default:
            if "\(type)".hasPrefix("Array") { "an array" } else if "\(type)".hasPrefix("Dictionary") { "an object" }
            else { "\(type)" }
        }
    }
}
