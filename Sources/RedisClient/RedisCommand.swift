/// A value that can be one argument of a Redis command.
public protocol RedisArgumentConvertible: Sendable {
    /// The argument's bytes as Redis receives them.
    var redisArgument: [UInt8] { get }
}

extension String: RedisArgumentConvertible {
    public var redisArgument: [UInt8] { Array(utf8) }
}

extension Substring: RedisArgumentConvertible {
    public var redisArgument: [UInt8] { Array(utf8) }
}

extension Int: RedisArgumentConvertible {
    public var redisArgument: [UInt8] { Array(String(self).utf8) }
}

extension Array: RedisArgumentConvertible where Element == UInt8 {
    public var redisArgument: [UInt8] { self }
}

/// One Redis command as an array of binary-safe arguments, e.g. `RedisCommand("SET", key, value)`.
public struct RedisCommand: Sendable, Equatable, CustomStringConvertible {
    /// The command name and its arguments, each as bytes.
    public var arguments: [[UInt8]]

    /// Creates a command from its name and arguments.
    public init(_ name: String, _ arguments: any RedisArgumentConvertible...) {
        self.init(name, arguments)
    }

    /// Creates a command from its name and an array of arguments.
    public init(_ name: String, _ arguments: [any RedisArgumentConvertible]) {
        self.arguments = [Array(name.utf8)] + arguments.map(\.redisArgument)
    }

    /// The command's name, upper-cased, for messages.
    public var name: String { String(decoding: arguments.first ?? [], as: UTF8.self).uppercased() }

    public var description: String { "\(name) (\(arguments.count - 1) arguments)" }
}
