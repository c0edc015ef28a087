/// A value that can be one argument of a Redis command.
public protocol RedisArgumentConvertible: Sendable {
    /// The argument's bytes as Redis receives them.
    var redisArgument: [UInt8] { get }

    /// Appends the argument to `arguments`; the default appends `redisArgument`. Text and integers write
    /// their bytes straight into the buffer, with no array of their own.
    func append(to arguments: inout RedisArguments)
}

extension RedisArgumentConvertible {
    public func append(to arguments: inout RedisArguments) {
        arguments.append(redisArgument)
    }
}

extension String: RedisArgumentConvertible {
    public var redisArgument: [UInt8] { Array(utf8) }

    public func append(to arguments: inout RedisArguments) {
        arguments.append(self)
    }
}

extension Substring: RedisArgumentConvertible {
    public var redisArgument: [UInt8] { Array(utf8) }

    public func append(to arguments: inout RedisArguments) {
        arguments.append(utf8)
    }
}

extension Int: RedisArgumentConvertible {
    /// The decimal text; small values are shared, not allocated (`DecimalArgument`).
    public var redisArgument: [UInt8] { DecimalArgument.bytes(of: self) }

    public func append(to arguments: inout RedisArguments) {
        arguments.append(self)
    }
}

extension Array: RedisArgumentConvertible where Element == UInt8 {
    public var redisArgument: [UInt8] { self }

    public func append(to arguments: inout RedisArguments) {
        arguments.append(self)
    }
}

/// One Redis command as binary-safe arguments, e.g. `RedisCommand("SET", key, value)`.
///
/// Hot paths build commands without boxing each argument in an existential and without an array per
/// argument: `RedisCommand(name: "HGET", arguments: [key, field])` from strings or bytes, `append` one by
/// one, or `append(contentsOf:)` arguments built ahead (`RedisArguments`).
///
/// On a Redis Cluster (`redis+cluster://`) a command goes to the node serving the slot of its `routingKey`,
/// which the caller sets (`RedisCommand("GET", key).routed(by: key)`); without one it goes to the same
/// primary every time, and a `MOVED` reply sends it on. Other URLs ignore the routing key.
public struct RedisCommand: Sendable, Equatable, CustomStringConvertible {
    /// The command name and its arguments.
    public private(set) var arguments: RedisArguments
    /// The key whose hash slot picks the node on a Redis Cluster (for `FCALL`, `EVAL`: the first key); `nil`
    /// for a command without keys. Every key of one command must share its slot (hash tags, `{…}`).
    public var routingKey: [UInt8]?

    /// Creates a command from its name and arguments.
    public init(_ name: String, _ arguments: any RedisArgumentConvertible...) {
        self.init(name, arguments)
    }

    /// Creates a command from its name and an array of arguments.
    public init(_ name: String, _ arguments: [any RedisArgumentConvertible]) {
        self.init(name: name, capacity: arguments.count)
        self.arguments.append(contentsOf: arguments)
    }

    /// Creates a command from its name and byte arguments, without boxing them.
    /// - Parameters:
    ///   - name: the command, e.g. `XADD`.
    ///   - arguments: its arguments, after the name.
    public init(name: String, arguments: [[UInt8]]) {
        self.init(name: name, capacity: arguments.count, byteCapacity: arguments.reduce(0) { $0 + $1.count })
        self.arguments.append(contentsOf: arguments)
    }

    /// Creates a command from its name and text arguments, each sent as UTF-8.
    /// - Parameters:
    ///   - name: the command, e.g. `SUBSCRIBE`.
    ///   - arguments: its arguments, after the name.
    public init(name: String, arguments: [String]) {
        self.init(name: name, capacity: arguments.count, byteCapacity: arguments.reduce(0) { $0 + $1.utf8.count })
        for argument in arguments {
            append(argument)
        }
    }

    /// Creates a command with only its name, room for `capacity` arguments (and `byteCapacity` bytes of
    /// them), to `append` them.
    /// - Parameters:
    ///   - name: the command, e.g. `FCALL`.
    ///   - capacity: how many arguments will follow, so appending them does not reallocate.
    ///   - byteCapacity: how many bytes they will take, likewise.
    public init(name: String, capacity: Int, byteCapacity: Int = 0) {
        arguments = RedisArguments(capacity: capacity + 1, byteCapacity: name.utf8.count + byteCapacity)
        arguments.append(name)
    }

    /// Appends an argument given as bytes.
    public mutating func append(_ argument: [UInt8]) {
        arguments.append(argument)
    }

    /// Appends an argument given as text, sent as UTF-8.
    public mutating func append(_ argument: String) {
        arguments.append(argument)
    }

    /// Appends one argument made of two texts, `head` then `tail` (`RedisArguments.append(_:followedBy:)`).
    public mutating func append(_ head: String, followedBy tail: String) {
        arguments.append(head, followedBy: tail)
    }

    /// Appends an integer argument, sent in decimal.
    public mutating func append(_ argument: Int) {
        arguments.append(argument)
    }

    /// Appends arguments built ahead, in order.
    public mutating func append(contentsOf arguments: RedisArguments) {
        self.arguments.append(contentsOf: arguments)
    }

    /// The same command, routed on a Redis Cluster by the slot of `key`.
    /// - Parameter key: the key (or any key of the same slot) the command touches.
    public func routed(by key: some RedisArgumentConvertible) -> RedisCommand {
        var command = self
        command.routingKey = key.redisArgument
        return command
    }

    /// The same command, routed on a Redis Cluster by the slot of `key` when there is one.
    func routed(byKey key: [UInt8]?) -> RedisCommand {
        var command = self
        command.routingKey = key
        return command
    }

    /// The command's name, upper-cased, for messages.
    public var name: String { String(decoding: arguments.first ?? [], as: UTF8.self).uppercased() }

    public var description: String { "\(name) (\(arguments.count - 1) arguments)" }
}

extension RedisCommand {
    /// Whether the server may hold the reply back (`BLPOP`, `BRPOP`, `BLMOVE`, `BZPOPMIN`…, `XREAD`,
    /// `XREADGROUP`, `WAIT`, `WAITAOF`), from the name alone: a few commands that never block are counted
    /// in too (`BITCOUNT`, `WATCH`, `XREAD` without `BLOCK`), which only means the loop does not wait on their
    /// replies (`RedisEventLoop.replyWindow`).
    var mayBlock: Bool {
        guard let name = arguments.first, let initial = name.first else { return false }
        switch initial | 0x20 {
        case UInt8(ascii: "b"), UInt8(ascii: "w"): return true
        case UInt8(ascii: "x"): return name.count >= 5 && name.prefix(5).map { $0 | 0x20 } == Array("xread".utf8)
        default: return false
        }
    }
}
