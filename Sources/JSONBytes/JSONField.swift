/// One member of an object being read into a type: its value once read, or why it did not read.
///
/// Read each known member with `read(from:)` as it comes, then take the values in declaration order with
/// `value(_:in:)`: the first member that is missing or did not read throws, as with synthesized `Decodable`,
/// whatever the order of the members in the input.
///
/// ```swift
/// var sku = JSONField<String>(), quantity = JSONField<Int>()
/// try reader.beginObject()
/// while let key = try reader.nextMember() {
///     switch key {
///     case "sku": try sku.read(from: &reader)
///     case "quantity": try quantity.read(from: &reader)
///     default: try reader.skipValue()
///     }
/// }
/// self.init(sku: try sku.value("sku", in: reader), quantity: try quantity.value("quantity", in: reader))
/// ```
public struct JSONField<Value: JSONReadable> {
    @usableFromInline var value: Value?
    @usableFromInline var failure: JSONReaderError?

    /// A member not read yet.
    @inlinable public init() {}

    /// Reads the member's value. A value that does not read as `Value` is skipped and its error kept for
    /// `value(_:in:)`; a later duplicate member replaces it.
    /// - Throws: `JSONReaderError` (`.syntax`) only when the input is not JSON.
    @inlinable public mutating func read(from reader: inout JSONReader) throws(JSONReaderError) {
        let checkpoint = reader.checkpoint
        do {
            value = try Value(json: &reader)
            failure = nil
        } catch where error.kind == .syntax {
            throw error
        } catch {
            value = nil
            failure = error
            reader.restore(checkpoint)
            try reader.skipValue()
        }
    }

    /// The member's value.
    /// - Parameters:
    ///   - name: the member's name, for errors.
    ///   - reader: the reader, after the object, for the offset of a missing member.
    /// - Throws: `JSONReaderError` naming the member, when it is missing or did not read.
    @inlinable public func value(_ name: String, in reader: borrowing JSONReader) throws(JSONReaderError) -> Value {
        if let failure { throw failure.within(.member(name)) }
        guard let value else {
            throw JSONReaderError(.missingMember, at: reader.offset, path: [.member(name)], "is missing")
        }
        return value
    }

    /// The member's value, or `absent` when there is no such member (optional members).
    /// - Parameters:
    ///   - name: the member's name, for errors.
    ///   - absent: the value of a missing member.
    /// - Throws: `JSONReaderError` naming the member, when it did not read.
    @inlinable public func value(_ name: String, absent: Value) throws(JSONReaderError) -> Value {
        if let failure { throw failure.within(.member(name)) }
        return value ?? absent
    }
}
