import JSONBytes

/// Any JSON value with its members in order, to compare documents exactly in round trips.
enum TestValue: Equatable, JSONCodable {
    case null
    case bool(Bool)
    case integer(Int)
    case double(Double)
    case string(String)
    case array([TestValue])
    case object([(String, TestValue)])

    init(json reader: inout JSONReader) throws(JSONReaderError) {
        switch try reader.peek() {
        case .null:
            _ = try reader.readNull()
            self = .null
        case .boolean: self = .bool(try reader.readBool())
        case .string: self = .string(try reader.readString())
        case .number:
            switch try reader.readNumber() {
            case .integer(let value): self = .integer(value)
            case .double(let value): self = .double(value)
            }
        case .array:
            var elements: [TestValue] = []
            try reader.beginArray()
            while try reader.nextElement() { elements.append(try TestValue(json: &reader)) }
            self = .array(elements)
        case .object:
            var members: [(String, TestValue)] = []
            try reader.beginObject()
            while let key = try reader.nextMember() { members.append((key.description, try TestValue(json: &reader))) }
            self = .object(members)
        }
    }

    func write(json writer: inout JSONWriter) {
        switch self {
        case .null: writer.null()
        case .bool(let value): writer.bool(value)
        case .integer(let value): writer.integer(value)
        case .double(let value): writer.double(value)
        case .string(let value): writer.string(value)
        case .array(let elements): elements.write(json: &writer)
        case .object(let members):
            writer.beginObject()
            for (name, value) in members { writer.member(name, value) }
            writer.endObject()
        }
    }

    static func == (lhs: TestValue, rhs: TestValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.integer(let a), .integer(let b)): a == b
        case (.double(let a), .double(let b)): a == b || (a.isNaN && b.isNaN)
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }
}

/// A seeded generator (SplitMix64), so a failing case can be run again.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension TestValue {
    /// A random value, nested at most `depth` levels.
    static func random(depth: Int, using generator: inout SeededGenerator) -> TestValue {
        switch Int.random(in: 0..<(depth > 0 ? 8 : 6), using: &generator) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &generator))
        case 2:
            let edges = [Int.min, Int.max, Int.min + 1, Int.max - 1, 0, -1, 1]
            return .integer(Bool.random(using: &generator) ? edges.randomElement(using: &generator)!
                : Int.random(in: Int.min...Int.max, using: &generator) >> Int.random(in: 0..<63, using: &generator))
        case 3:
            let edges = [0.5, -0.0, 1e-300, 1.7976931348623157e308, 5e-324, 0.1, 1e21, 123456.789]
            return .double(Bool.random(using: &generator) ? edges.randomElement(using: &generator)!
                : Double.random(in: -1e6...1e6, using: &generator))
        case 4, 5: return .string(randomString(using: &generator))
        case 6:
            return .array((0..<Int.random(in: 0...4, using: &generator)).map { _ in
                random(depth: depth - 1, using: &generator)
            })
        default:
            return .object((0..<Int.random(in: 0...4, using: &generator)).map { _ in
                (randomString(using: &generator), random(depth: depth - 1, using: &generator))
            })
        }
    }

    /// A string mixing ASCII, characters that must be escaped, and BMP and astral characters.
    static func randomString(using generator: inout SeededGenerator) -> String {
        let pieces = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1F}", "\u{7F}", "é", "€", "中",
                      "\u{FFFF}", "😀", "𝄞", "\u{10FFFF}", "\u{2028}", "u", "\\u0041"]
        return (0..<Int.random(in: 0...8, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }
            .joined()
    }
}
