/// A pull parser over UTF-8 JSON bytes (RFC 8259, strictly): the caller asks for the value it expects next
/// and the reader checks the bytes as it goes.
///
/// ```swift
/// var reader = JSONReader(bytes)
/// try reader.beginObject()
/// while let key = try reader.nextMember() {
///     switch key {
///     case "orderId": orderID = try reader.readString()
///     default: try reader.skipValue()
///     }
/// }
/// try reader.finish()
/// ```
///
/// Strings are unescaped only when they hold escapes, member names are compared as bytes, skipped values are
/// validated, and `captureValue()` keeps a value as its bytes without decoding it. Every error is a
/// `JSONReaderError` with the byte offset and what was expected.
public struct JSONReader: Sendable {
    /// The default limit on nesting of arrays and objects.
    public static let defaultMaximumDepth = 64

    /// The input.
    public let bytes: ArraySlice<UInt8>
    /// The index in `bytes` of the next byte to read.
    public private(set) var index: Int
    /// How deep arrays and objects may nest.
    public let maximumDepth: Int
    private var depth = 0
    /// Between `beginObject()`/`beginArray()` and the first `nextMember()`/`nextElement()`.
    private var atContainerStart = false

    /// A position to come back to with `restore(_:)`, e.g. to skip a value that did not read as expected.
    public struct Checkpoint: Sendable {
        fileprivate var index: Int
        fileprivate var depth: Int
        fileprivate var atContainerStart: Bool
    }

    /// Creates a reader of one JSON document.
    /// - Parameters:
    ///   - bytes: the document, UTF-8; offsets in errors count from its start.
    ///   - maximumDepth: how deep arrays and objects may nest.
    public init(_ bytes: ArraySlice<UInt8>, maximumDepth: Int = JSONReader.defaultMaximumDepth) {
        self.bytes = bytes
        self.index = bytes.startIndex
        self.maximumDepth = maximumDepth
    }

    /// Creates a reader of one JSON document.
    /// - Parameters:
    ///   - bytes: the document, UTF-8.
    ///   - maximumDepth: how deep arrays and objects may nest.
    public init(_ bytes: [UInt8], maximumDepth: Int = JSONReader.defaultMaximumDepth) {
        self.init(bytes[...], maximumDepth: maximumDepth)
    }

    /// The offset of the next byte from the start of the input.
    public var offset: Int { index - bytes.startIndex }

    /// Where the reader is now.
    public var checkpoint: Checkpoint { Checkpoint(index: index, depth: depth, atContainerStart: atContainerStart) }

    /// Goes back to `checkpoint`.
    public mutating func restore(_ checkpoint: Checkpoint) {
        index = checkpoint.index
        depth = checkpoint.depth
        atContainerStart = checkpoint.atContainerStart
    }

    // MARK: Values

    /// The kind of the next value, without reading it.
    /// - Throws: `JSONReaderError` (`.syntax`) when no value starts here.
    public mutating func peek() throws(JSONReaderError) -> JSONKind {
        skipWhitespace()
        guard index < bytes.endIndex else { throw syntax("unexpected end of input, expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .boolean
        case UInt8(ascii: "n"): return .null
        default: throw syntax("expected a value, found \(describeByte(at: index))")
        }
    }

    /// Reads a string, unescaping it.
    /// - Throws: `JSONReaderError`: `.nullValue` or `.typeMismatch` when the value is not a string.
    public mutating func readString() throws(JSONReaderError) -> String {
        String(decoding: try readStringUTF8(), as: UTF8.self)
    }

    /// Reads a string as its UTF-8, unescaped: a slice of the document itself when it holds no escapes, so
    /// reading it makes nothing new (e.g. a timestamp that is parsed, not kept).
    /// - Throws: `JSONReaderError`: `.nullValue` or `.typeMismatch` when the value is not a string.
    public mutating func readStringUTF8() throws(JSONReaderError) -> ArraySlice<UInt8> {
        try expect(.string, as: "a string")
        let start = index
        let hasEscapes = try scanString()
        let content = (start + 1)..<(index - 1)
        return hasEscapes ? unescape(content)[...] : bytes[content]
    }

    /// Reads a whole number that fits in `Int`. A number written with a fraction or exponent is accepted when
    /// its value is whole (`2.0`, `1e3`).
    /// - Throws: `JSONReaderError`: `.typeMismatch`/`.nullValue` for other kinds, `.invalidValue` for a fraction
    ///   or a number beyond `Int`'s range.
    public mutating func readInt() throws(JSONReaderError) -> Int {
        try expect(.number, as: "a number")
        let start = index
        let isInteger = try scanNumber()
        if isInteger, let value = Self.integer(bytes[start..<index]) { return value }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if !isInteger, let double = Double(text), let value = Int(exactly: double) { return value }
        throw JSONReaderError(.invalidValue, at: start - bytes.startIndex,
                              isInteger ? "\(text) does not fit in a 64-bit integer" : "\(text) is not a whole number")
    }

    /// Reads a number as a `Double` (the nearest one).
    /// - Throws: `JSONReaderError`: `.typeMismatch`/`.nullValue` for other kinds, `.invalidValue` for a number
    ///   beyond `Double`'s range.
    public mutating func readDouble() throws(JSONReaderError) -> Double {
        try expect(.number, as: "a number")
        let start = index
        if try scanNumber(), index - start <= 15, let value = Self.integer(bytes[start..<index]) {
            return Double(value)
        }
        return try double(start..<index)
    }

    /// The value of the number at `range`, which `scanNumber()` has checked.
    private func double(_ range: Range<Int>) throws(JSONReaderError) -> Double {
        let text = String(decoding: bytes[range], as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw JSONReaderError(.invalidValue, at: range.lowerBound - bytes.startIndex,
                                  "\(text) is beyond the range of a double")
        }
        return value
    }

    /// A number as `readNumber()` gives it.
    public enum Number: Sendable, Equatable {
        /// Written without fraction or exponent, and within `Int`'s range.
        case integer(Int)
        /// Any other number.
        case double(Double)
    }

    /// Reads a number as an integer when it is written as one that fits in `Int`, as a `Double` otherwise.
    /// - Throws: `JSONReaderError`: `.typeMismatch`/`.nullValue` for other kinds, `.invalidValue` for a number
    ///   beyond `Double`'s range.
    public mutating func readNumber() throws(JSONReaderError) -> Number {
        try expect(.number, as: "a number")
        let start = index
        if try scanNumber(), let value = Self.integer(bytes[start..<index]) { return .integer(value) }
        return .double(try double(start..<index))
    }

    /// Reads `true` or `false`.
    /// - Throws: `JSONReaderError` when the value is not a boolean.
    public mutating func readBool() throws(JSONReaderError) -> Bool {
        try expect(.boolean, as: "a boolean")
        if bytes[index] == UInt8(ascii: "t") {
            try literal("true")
            return true
        }
        try literal("false")
        return false
    }

    /// Reads `null` if it is the next value.
    /// - Returns: whether it was `null` (when not, nothing is read).
    /// - Throws: `JSONReaderError` when no value starts here, or a literal starting with `n` is not `null`.
    public mutating func readNull() throws(JSONReaderError) -> Bool {
        guard try peek() == .null else { return false }
        try literal("null")
        return true
    }

    /// Skips the next value, checking that it is valid JSON.
    /// - Throws: `JSONReaderError` (`.syntax`) saying what is wrong with it.
    public mutating func skipValue() throws(JSONReaderError) {
        switch try peek() {
        case .object:
            try beginObject()
            while try nextMember() != nil { try skipValue() }
        case .array:
            try beginArray()
            while try nextElement() { try skipValue() }
        case .string: _ = try scanString()
        case .number: _ = try scanNumber()
        case .boolean: try literal(bytes[index] == UInt8(ascii: "t") ? "true" : "false")
        case .null: try literal("null")
        }
    }

    /// Skips the next value, checking it, and returns its bytes (without surrounding whitespace).
    /// - Throws: `JSONReaderError` (`.syntax`) saying what is wrong with it.
    public mutating func captureValue() throws(JSONReaderError) -> ArraySlice<UInt8> {
        skipWhitespace()
        let start = index
        try skipValue()
        return bytes[start..<index]
    }

    /// Checks that nothing but whitespace follows the value read.
    /// - Throws: `JSONReaderError` (`.syntax`) naming what follows.
    public mutating func finish() throws(JSONReaderError) {
        skipWhitespace()
        guard index == bytes.endIndex else {
            throw syntax("unexpected \(describeByte(at: index)) after the JSON value")
        }
    }

    // MARK: Containers

    /// Enters an object; read its members with `nextMember()`.
    /// - Throws: `JSONReaderError`: `.typeMismatch`/`.nullValue` when the value is not an object, `.syntax` when
    ///   it nests deeper than `maximumDepth`.
    public mutating func beginObject() throws(JSONReaderError) {
        try expect(.object, as: "an object")
        try enter()
    }

    /// The name of the object's next member, leaving the reader at its value (which must be read or skipped);
    /// `nil` after the last member, leaving the object.
    /// - Throws: `JSONReaderError` (`.syntax`) when the object is malformed.
    public mutating func nextMember() throws(JSONReaderError) -> JSONKey? {
        skipWhitespace()
        if atContainerStart {
            atContainerStart = false
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: "}") {
                return leave()
            }
        } else if index < bytes.endIndex, bytes[index] == UInt8(ascii: "}") {
            return leave()
        } else if index < bytes.endIndex, bytes[index] == UInt8(ascii: ",") {
            index += 1
            skipWhitespace()
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: "}") {
                throw syntax("a trailing comma before '}' is not allowed")
            }
        } else {
            throw syntax("expected ',' or '}' after an object member, found \(describeByte(at: index))")
        }
        guard index < bytes.endIndex, bytes[index] == UInt8(ascii: "\"") else {
            throw syntax("expected a member name in double quotes, found \(describeByte(at: index))")
        }
        let start = index
        let hasEscapes = try scanString()
        let name = bytes[(start + 1)..<(index - 1)]
        skipWhitespace()
        guard index < bytes.endIndex, bytes[index] == UInt8(ascii: ":") else {
            throw syntax("expected ':' after a member name, found \(describeByte(at: index))")
        }
        index += 1
        return JSONKey(hasEscapes ? unescape(name.indices)[...] : name)
    }

    /// Enters an array; read its elements after each `nextElement()` that returns `true`.
    /// - Throws: `JSONReaderError`: `.typeMismatch`/`.nullValue` when the value is not an array, `.syntax` when
    ///   it nests deeper than `maximumDepth`.
    public mutating func beginArray() throws(JSONReaderError) {
        try expect(.array, as: "an array")
        try enter()
    }

    /// Whether the array has another element, leaving the reader at it (it must be read or skipped); `false`
    /// after the last one, leaving the array.
    /// - Throws: `JSONReaderError` (`.syntax`) when the array is malformed.
    public mutating func nextElement() throws(JSONReaderError) -> Bool {
        skipWhitespace()
        if atContainerStart {
            atContainerStart = false
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: "]") {
                return leave() != nil
            }
            return true
        }
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "]") {
            return leave() != nil
        }
        guard index < bytes.endIndex, bytes[index] == UInt8(ascii: ",") else {
            throw syntax("expected ',' or ']' after an array element, found \(describeByte(at: index))")
        }
        index += 1
        skipWhitespace()
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "]") {
            throw syntax("a trailing comma before ']' is not allowed")
        }
        return true
    }

    // MARK: Scanning

    private mutating func enter() throws(JSONReaderError) {
        guard depth < maximumDepth else {
            throw syntax("arrays and objects nest deeper than \(maximumDepth) levels")
        }
        depth += 1
        index += 1
        atContainerStart = true
    }

    /// Leaves a container at its closing byte; always `nil`, for `nextMember()`.
    private mutating func leave() -> JSONKey? {
        index += 1
        depth -= 1
        return nil
    }

    /// Checks that the next value is of `kind`; throws a type error naming `expected` otherwise.
    private mutating func expect(_ kind: JSONKind, as expected: String) throws(JSONReaderError) {
        let found = try peek()
        guard found == kind else {
            if found == .null {
                let start = index
                try literal("null")
                throw JSONReaderError(.nullValue, at: start - bytes.startIndex, "is null, expected \(expected)")
            }
            throw JSONReaderError(.typeMismatch, at: offset,
                                  "has the wrong type, expected \(expected), found \(found.phrase)")
        }
    }

    private mutating func skipWhitespace() {
        // Compact JSON has none: one look settles it.
        if index < bytes.endIndex, bytes[index] > UInt8(ascii: " ") { return }
        while index < bytes.endIndex {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): index += 1
            default: return
            }
        }
    }

    private mutating func literal(_ word: StaticString) throws(JSONReaderError) {
        let start = index
        var matched = true
        word.withUTF8Buffer { expected in
            for byte in expected {
                guard index < bytes.endIndex, bytes[index] == byte else {
                    matched = false
                    return
                }
                index += 1
            }
        }
        guard matched else {
            index = start
            throw syntax("expected \(word) at \(describeByte(at: start))")
        }
    }

    /// Reads a string at `index` (at its opening quote) to after its closing quote, checking escapes, control
    /// characters and UTF-8.
    /// - Returns: whether it holds escapes.
    private mutating func scanString() throws(JSONReaderError) -> Bool {
        let start = index
        index += 1
        var hasEscapes = false
        while index < bytes.endIndex {
            skipPlainStringBytes()
            guard index < bytes.endIndex else { break }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return hasEscapes
            case UInt8(ascii: "\\"):
                hasEscapes = true
                try scanEscape()
            case 0..<0x20:
                throw syntax("control character U+\(Self.hex(UInt32(byte), digits: 4)) must be escaped in a string")
            case 0x20..<0x80:
                index += 1
            default:
                try scanUTF8Sequence()
            }
        }
        index = start
        throw syntax("unterminated string")
    }

    /// Moves past printable ASCII other than `"` and `\`, most of a string, without looking at each byte twice.
    private mutating func skipPlainStringBytes() {
        let base = bytes.startIndex
        let start = index - base
        let end = bytes.withUnsafeBufferPointer { buffer in
            var position = start
            while position < buffer.count {
                let byte = buffer[position]
                if byte < 0x20 || byte >= 0x80 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { break }
                position += 1
            }
            return position
        }
        index = base + end
    }

    /// Reads one escape at `index` (at its backslash).
    private mutating func scanEscape() throws(JSONReaderError) {
        guard index + 1 < bytes.endIndex else { throw syntax("unterminated string") }
        switch bytes[index + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
             UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            index += 2
        case UInt8(ascii: "u"):
            let unit = try hexUnit(at: index)
            index += 6
            if (0xDC00...0xDFFF).contains(unit) {
                throw syntax("lone low surrogate \\u\(Self.hex(UInt32(unit), digits: 4)) in a string", at: index - 6)
            }
            if (0xD800...0xDBFF).contains(unit) {
                guard index + 1 < bytes.endIndex, bytes[index] == UInt8(ascii: "\\"),
                      bytes[index + 1] == UInt8(ascii: "u"),
                      (0xDC00...0xDFFF).contains(try hexUnit(at: index))
                else {
                    throw syntax("high surrogate \\u\(Self.hex(UInt32(unit), digits: 4)) is not followed by a low one",
                                 at: index - 6)
                }
                index += 6
            }
        default:
            throw syntax("invalid escape in a string: a backslash followed by \(describeByte(at: index + 1))")
        }
    }

    /// The code unit of the `\uXXXX` escape at `start`.
    private func hexUnit(at start: Int) throws(JSONReaderError) -> UInt16 {
        var unit: UInt16 = 0
        for position in (start + 2)..<(start + 6) {
            guard position < bytes.endIndex, let digit = Self.hexDigit(bytes[position]) else {
                throw syntax("\\u must be followed by four hexadecimal digits", at: start)
            }
            unit = unit << 4 | UInt16(digit)
        }
        return unit
    }

    /// Checks the multi-byte UTF-8 sequence at `index` (well-formed, shortest form, no surrogates).
    private mutating func scanUTF8Sequence() throws(JSONReaderError) {
        let lead = bytes[index]
        let length: Int
        var lowest: UInt8 = 0x80
        var highest: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lowest = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; highest = 0x9F
        case 0xF0: length = 4; lowest = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; highest = 0x8F
        default: throw syntax("invalid UTF-8 byte 0x\(Self.hex(UInt32(lead), digits: 2)) in a string")
        }
        for position in (index + 1)..<(index + length) {
            let range = position == index + 1 ? lowest...highest : 0x80...0xBF
            guard position < bytes.endIndex, range.contains(bytes[position]) else {
                throw syntax("invalid UTF-8 sequence in a string")
            }
        }
        index += length
    }

    /// Reads a number at `index`, checking its grammar.
    /// - Returns: whether it is written as an integer (no fraction, no exponent).
    private mutating func scanNumber() throws(JSONReaderError) -> Bool {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.endIndex, Self.isDigit(bytes[index]) else {
            throw syntax("expected a digit after '-', found \(describeByte(at: index))")
        }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.endIndex, Self.isDigit(bytes[index]) {
                throw syntax("a number must not have leading zeros", at: start)
            }
        } else {
            skipDigits()
        }
        var isInteger = true
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < bytes.endIndex, Self.isDigit(bytes[index]) else {
                throw syntax("expected a digit after the decimal point, found \(describeByte(at: index))")
            }
            skipDigits()
        }
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < bytes.endIndex, Self.isDigit(bytes[index]) else {
                throw syntax("expected a digit in the exponent, found \(describeByte(at: index))")
            }
            skipDigits()
        }
        return isInteger
    }

    private mutating func skipDigits() {
        while index < bytes.endIndex, Self.isDigit(bytes[index]) { index += 1 }
    }

    /// The bytes of a string's content with its escapes replaced.
    private func unescape(_ content: Range<Int>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(content.count)
        var position = content.lowerBound
        while position < content.upperBound {
            let byte = bytes[position]
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                position += 1
                continue
            }
            let escaped = bytes[position + 1]
            position += 2
            switch escaped {
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                // scanString() has checked the digits and the surrogate pairs.
                var scalar = UInt32((try? hexUnit(at: position - 2)) ?? 0)
                position += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    let low = UInt32((try? hexUnit(at: position)) ?? 0)
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    position += 6
                }
                output.append(contentsOf: UTF8.encode(Unicode.Scalar(scalar) ?? "\u{FFFD}")!)
            default: output.append(escaped)
            }
        }
        return output
    }

    // MARK: Helpers

    private func syntax(_ reason: String, at position: Int? = nil) -> JSONReaderError {
        JSONReaderError(.syntax, at: (position ?? index) - bytes.startIndex, reason)
    }

    /// The byte at `position` for a message: `'x'`, `byte 0x07`, or `the end of the input`.
    private func describeByte(at position: Int) -> String {
        guard position < bytes.endIndex else { return "the end of the input" }
        let byte = bytes[position]
        if (0x21..<0x7F).contains(byte) { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(Self.hex(UInt32(byte), digits: 2))"
    }

    /// The value of integer digits (with an optional `-`), or `nil` when it does not fit in `Int`.
    private static func integer(_ digits: ArraySlice<UInt8>) -> Int? {
        var value = 0
        let negative = digits.first == UInt8(ascii: "-")
        for byte in digits.dropFirst(negative ? 1 : 0) {
            let (shifted, overflowOnMultiply) = value.multipliedReportingOverflow(by: 10)
            let digit = Int(byte &- UInt8(ascii: "0"))
            let (next, overflowOnAdd) = negative
                ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            if overflowOnMultiply || overflowOnAdd { return nil }
            value = next
        }
        return value
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
