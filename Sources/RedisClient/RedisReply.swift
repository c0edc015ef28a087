/// A reply from Redis (RESP2).
public enum RedisReply: Sendable, Equatable {
    /// A status reply such as `OK` or `PONG`.
    case simpleString(String)
    /// An error reply such as `ERR unknown command`.
    case error(String)
    /// An integer reply.
    case number(Int)
    /// A bulk string, binary-safe.
    case bulkString([UInt8])
    /// A nil bulk string or nil array.
    case null
    /// An array of replies.
    case array([RedisReply])

    /// The reply as text: bulk strings decoded as UTF-8, status replies, and integers in decimal.
    public var string: String? {
        switch self {
        case .simpleString(let text): text
        case .bulkString(let bytes): String(decoding: bytes, as: UTF8.self)
        case .number(let value): String(value)
        case .error, .null, .array: nil
        }
    }

    /// The reply as bytes, for binary-safe bulk strings.
    public var bytes: [UInt8]? {
        switch self {
        case .bulkString(let bytes): bytes
        case .simpleString(let text): Array(text.utf8)
        case .number, .error, .null, .array: nil
        }
    }

    /// The reply as an integer: integer replies, and bulk strings that hold one.
    public var int: Int? {
        switch self {
        case .number(let value): value
        case .bulkString, .simpleString: string.flatMap { Int($0) }
        case .error, .null, .array: nil
        }
    }

    /// The elements of an array reply.
    public var array: [RedisReply]? {
        if case .array(let elements) = self { return elements }
        return nil
    }
}
