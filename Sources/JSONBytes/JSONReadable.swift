/// A type that reads itself from JSON with a `JSONReader`, without `Decodable`'s machinery.
///
/// Conformers read one value and leave the reader after it. Object types read their members with
/// `JSONField`, which reports the first member, in declaration order, that is missing or wrong (as
/// synthesized `Decodable` does) and skips members they do not know.
public protocol JSONReadable {
    /// Reads one value from `reader`.
    /// - Throws: `JSONReaderError` naming the value's path from here.
    init(json reader: inout JSONReader) throws(JSONReaderError)
}

extension JSONReadable {
    /// Reads a whole JSON document as this type.
    /// - Parameter bytes: the document; nothing but whitespace may follow the value.
    /// - Throws: `JSONReaderError`.
    @inlinable public init(jsonBytes bytes: ArraySlice<UInt8>) throws(JSONReaderError) {
        var reader = JSONReader(bytes)
        self = try Self(json: &reader)
        try reader.finish()
    }

    /// Reads a whole JSON document as this type.
    /// - Parameter bytes: the document; nothing but whitespace may follow the value.
    /// - Throws: `JSONReaderError`.
    @inlinable public init(jsonBytes bytes: [UInt8]) throws(JSONReaderError) {
        try self.init(jsonBytes: bytes[...])
    }
}

extension String: JSONReadable {
    public init(json reader: inout JSONReader) throws(JSONReaderError) {
        self = try reader.readString()
    }
}

extension Int: JSONReadable {
    public init(json reader: inout JSONReader) throws(JSONReaderError) {
        self = try reader.readInt()
    }
}

extension Double: JSONReadable {
    public init(json reader: inout JSONReader) throws(JSONReaderError) {
        self = try reader.readDouble()
    }
}

extension Bool: JSONReadable {
    public init(json reader: inout JSONReader) throws(JSONReaderError) {
        self = try reader.readBool()
    }
}

extension Optional: JSONReadable where Wrapped: JSONReadable {
    /// `null` reads as `nil`.
    @inlinable public init(json reader: inout JSONReader) throws(JSONReaderError) {
        self = try reader.readNull() ? nil : try Wrapped(json: &reader)
    }
}

extension Array: JSONReadable where Element: JSONReadable {
    /// Errors name the element: `[2].quantity`.
    @inlinable public init(json reader: inout JSONReader) throws(JSONReaderError) {
        self = []
        try reader.beginArray()
        while try reader.nextElement() {
            do {
                append(try Element(json: &reader))
            } catch {
                throw error.within(.index(count))
            }
        }
    }
}

extension JSONReadable where Self: RawRepresentable & CaseIterable, RawValue == String {
    /// Reads the raw value of one of the cases.
    @inlinable public init(json reader: inout JSONReader) throws(JSONReaderError) {
        let offset = reader.offset
        let text = try reader.readString()
        guard let value = Self(rawValue: text) else {
            let cases = Self.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            throw JSONReaderError(.invalidValue, at: offset, "\"\(text)\" is not one of \(cases)")
        }
        self = value
    }
}
