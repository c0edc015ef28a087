/// An object member's name, as `JSONReader.nextMember()` found it: the bytes of the input when it has no
/// escapes (nothing is copied), unescaped bytes otherwise.
///
/// Match it against literals in a `switch` (`case "orderId":`), which compares bytes without making a string.
public struct JSONKey: Sendable, Equatable, CustomStringConvertible {
    /// The name's UTF-8 bytes, unescaped.
    public let utf8: ArraySlice<UInt8>

    init(_ utf8: ArraySlice<UInt8>) {
        self.utf8 = utf8
    }

    /// The name as a string.
    public var description: String { String(decoding: utf8, as: UTF8.self) }

    /// Whether the name is `name`, byte for byte.
    public func equals(_ name: StaticString) -> Bool {
        name.withUTF8Buffer { expected in
            expected.count == utf8.count && utf8.withUnsafeBufferPointer { actual in
                expected.elementsEqual(actual)
            }
        }
    }

    /// Matches a key against a string literal in a `switch`.
    public static func ~= (pattern: StaticString, key: JSONKey) -> Bool {
        key.equals(pattern)
    }
}
