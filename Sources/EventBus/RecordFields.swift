/// A stored record's fields, read with the conversions records need and errors that name the field.
public struct RecordFields: Sendable {
    private let values: [String: String]

    /// Wraps stored fields.
    public init(_ values: [String: String]) {
        self.values = values
    }

    /// The field's text, when present.
    public subscript(name: String) -> String? { values[name] }

    /// The field's text.
    /// - Throws: `RecordError` when it is absent.
    public func required(_ name: String) throws(RecordError) -> String {
        guard let value = values[name] else { throw RecordError("field \(name) is missing") }
        return value
    }

    /// The field as an integer, when present.
    /// - Throws: `RecordError` when it is present but not an integer.
    public func integer(_ name: String) throws(RecordError) -> Int? {
        guard let text = values[name] else { return nil }
        guard let value = Int(text) else { throw RecordError("field \(name) is \"\(text)\", not an integer") }
        return value
    }

    /// The field as one of an enumeration's raw values. Inlinable, so a record's reading is specialised for
    /// its own enumerations rather than run as generic code.
    /// - Throws: `RecordError` when it is absent or not one of them.
    @inlinable
    public func required<Value: RawRepresentable>(_ name: String, as type: Value.Type) throws(RecordError) -> Value
    where Value.RawValue == String {
        let text = try required(name)
        guard let value = Value(rawValue: text) else { throw RecordError("field \(name) has an unknown value \"\(text)\"") }
        return value
    }

    /// The field as one of an enumeration's raw values, when present; inlinable, as `required(_:as:)`.
    /// - Throws: `RecordError` when it is present but not one of them.
    @inlinable
    public func optional<Value: RawRepresentable>(_ name: String, as type: Value.Type) throws(RecordError) -> Value?
    where Value.RawValue == String {
        guard self[name] != nil else { return nil }
        return try required(name, as: type)
    }
}
