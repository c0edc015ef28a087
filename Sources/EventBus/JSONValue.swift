#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSONBytes

/// Any JSON value: the `data` of an event before a service decodes it into its own type.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// A number without a fraction that fits in `Int` (money, quantities).
    case integer(Int)
    /// Any other number.
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The member named `key` of an object; `nil` for other values or a missing member.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The value as a string, when it is one.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The name of the value's JSON type, for messages: `object`, `array`, `string`, `number`, …
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .integer, .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// Encodes a value into JSON and reads it back as a `JSONValue`.
    public init(encoding value: some Encodable) throws {
        if let writable = value as? any JSONWritable {
            self = try JSONValue(jsonBytes: writable.jsonBytes)
        } else {
            self = try JSONValue(jsonBytes: Array(JSONEncoder().encode(value)))
        }
    }

    /// Decodes the value into a type, as if its JSON text were decoded.
    public func decode<Value: Decodable>(as type: Value.Type) throws -> Value {
        if let readable = Value.self as? any JSONReadable.Type {
            // The cast above proves the type; the value read is a `Value`.
            return try readable.init(jsonBytes: jsonBytes) as! Value
        }
        return try JSONDecoder().decode(Value.self, from: Data(jsonBytes))
    }
}

extension JSONValue: JSONReadable {
    /// Reads any JSON value. A number written without fraction or exponent that fits in `Int` is `.integer`;
    /// any other number is `.double`. A repeated member name keeps its last value.
    public init(json reader: inout JSONReader) throws(JSONReaderError) {
        switch try reader.peek() {
        case .null:
            _ = try reader.readNull()
            self = .null
        case .boolean: self = .bool(try reader.readBool())
        case .string: self = .string(try reader.readString())
        case .number:
            switch try reader.readNumber() {
            case .integer(let value): self = .integer(value)
            // A whole number written with a fraction or exponent (`2.0`, `1e3`) is an integer, as JSON Schema
            // and Codable's `Int` take it.
            case .double(let value) where value.rounded() == value && abs(value) < 0x1p63:
                self = .integer(Int(value))
            case .double(let value): self = .double(value)
            }
        case .array:
            var elements: [JSONValue] = []
            try reader.beginArray()
            while try reader.nextElement() {
                elements.append(try JSONValue(json: &reader))
            }
            self = .array(elements)
        case .object:
            var members: [String: JSONValue] = [:]
            try reader.beginObject()
            while let key = try reader.nextMember() {
                members[key.description] = try JSONValue(json: &reader)
            }
            self = .object(members)
        }
    }
}

extension JSONValue: JSONWritable {
    public func write(json writer: inout JSONWriter) {
        switch self {
        case .null: writer.null()
        case .bool(let value): writer.bool(value)
        case .integer(let value): writer.integer(value)
        case .double(let value): writer.double(value)
        case .string(let value): writer.string(value)
        case .array(let elements): elements.write(json: &writer)
        case .object(let members):
            writer.beginObject()
            for (name, value) in members {
                writer.member(name, value)
            }
            writer.endObject()
        }
    }
}

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        // Each failed attempt costs an error value, so the likeliest kinds of an event's values go first:
        // strings, then whole numbers, objects and arrays.
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode(Int.self) {
            self = .integer(value)
        } else if let value = try? container.decode([String: JSONValue].self) {
            self = .object(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else {
            self = .double(try container.decode(Double.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .integer(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }
}
