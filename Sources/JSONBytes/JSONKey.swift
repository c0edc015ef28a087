/// An object member's name, as `JSONReader.nextMember()` found it, unescaped. Names of up to 16 bytes (all
/// the names a payload usually has) are held inline, so reading and matching them copies and counts nothing.
///
/// Match it against literals in a `switch` (`case "orderId":`), which compares bytes without making a string.
public struct JSONKey: Sendable, Equatable, CustomStringConvertible {
    /// The first 16 bytes of the name, the first byte lowest, zero-padded.
    private var low: UInt64 = 0
    private var high: UInt64 = 0
    private let count: Int
    /// The whole name, when it is longer than 16 bytes.
    private let long: ArraySlice<UInt8>?

    init(_ utf8: ArraySlice<UInt8>) {
        count = utf8.count
        guard count <= 16 else {
            long = utf8
            return
        }
        long = nil
        (low, high) = Self.pack(utf8)
    }

    /// The name's UTF-8 bytes.
    public var utf8: ArraySlice<UInt8> {
        if let long { return long }
        var bytes: [UInt8] = []
        for position in 0..<count {
            let word = position < 8 ? low : high
            bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(8 * (position % 8))))
        }
        return bytes[...]
    }

    /// The name as a string.
    public var description: String { String(decoding: utf8, as: UTF8.self) }

    /// Whether the name is `name`, byte for byte.
    public func equals(_ name: StaticString) -> Bool {
        guard name.utf8CodeUnitCount == count else { return false }
        return name.withUTF8Buffer { expected in
            if let long { return long.elementsEqual(expected) }
            return Self.pack(expected) == (low, high)
        }
    }

    /// Matches a key against a string literal in a `switch`.
    public static func ~= (pattern: StaticString, key: JSONKey) -> Bool {
        key.equals(pattern)
    }

    public static func == (lhs: JSONKey, rhs: JSONKey) -> Bool {
        lhs.count == rhs.count && lhs.low == rhs.low && lhs.high == rhs.high && lhs.long == rhs.long
    }

    /// Up to 16 bytes as two words, the first byte lowest, zero-padded.
    private static func pack(_ bytes: some Collection<UInt8>) -> (UInt64, UInt64) {
        var words: (UInt64, UInt64) = (0, 0)
        for (position, byte) in bytes.prefix(16).enumerated() {
            if position < 8 {
                words.0 |= UInt64(byte) << (8 * position)
            } else {
                words.1 |= UInt64(byte) << (8 * (position - 8))
            }
        }
        return words
    }
}
