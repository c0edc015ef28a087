/// A type that writes itself as JSON with a `JSONWriter`, without `Encodable`'s machinery.
public protocol JSONWritable {
    /// Writes the value as one JSON value.
    func write(json writer: inout JSONWriter)
}

extension JSONWritable {
    /// The value as a JSON document.
    @inlinable public var jsonBytes: [UInt8] {
        var writer = JSONWriter()
        write(json: &writer)
        return writer.bytes
    }
}

extension String: JSONWritable {
    public func write(json writer: inout JSONWriter) { writer.string(self) }
}

extension Int: JSONWritable {
    public func write(json writer: inout JSONWriter) { writer.integer(self) }
}

extension Double: JSONWritable {
    public func write(json writer: inout JSONWriter) { writer.double(self) }
}

extension Bool: JSONWritable {
    public func write(json writer: inout JSONWriter) { writer.bool(self) }
}

extension Optional: JSONWritable where Wrapped: JSONWritable {
    /// `nil` writes as `null`.
    @inlinable public func write(json writer: inout JSONWriter) {
        if let value = self { value.write(json: &writer) } else { writer.null() }
    }
}

extension Array: JSONWritable where Element: JSONWritable {
    @inlinable public func write(json writer: inout JSONWriter) {
        writer.beginArray()
        for element in self { element.write(json: &writer) }
        writer.endArray()
    }
}

extension JSONWritable where Self: RawRepresentable, RawValue == String {
    /// Writes the raw value.
    @inlinable public func write(json writer: inout JSONWriter) { writer.string(rawValue) }
}

/// A type that reads and writes itself with `JSONReader` and `JSONWriter`.
public typealias JSONCodable = JSONReadable & JSONWritable
