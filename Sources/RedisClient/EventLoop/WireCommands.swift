/// Commands as Redis receives them: each an array of bulk strings in the Redis protocol
/// (`*<count>\r\n` then `$<length>\r\n<bytes>\r\n` per argument), laid out in one buffer.
///
/// A request's commands are written out once, by the thread that submits them, so the event loop only
/// copies the finished bytes into hiredis's output buffer (`redisAppendFormattedCommand`). It is the same
/// output as hiredis's own `redisAppendCommandArgv`, which formats with `sdscatfmt` on the loop's thread
/// after the arguments were gathered into an argv there (~12% of that thread's time); the tests compare
/// the two byte for byte.
struct WireCommands: Sendable {
    /// The encoded commands, one after the other.
    let bytes: [UInt8]

    /// Encodes `commands`, in order.
    init(_ commands: [RedisCommand]) {
        var size = 0
        for command in commands {
            size += 16
            for argument in command.arguments { size += argument.count + 16 }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size)
        for command in commands {
            Self.append(command, to: &bytes)
        }
        self.bytes = bytes
    }

    private static func append(_ command: RedisCommand, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "*"))
        appendDecimal(command.arguments.count, to: &bytes)
        appendLineEnd(to: &bytes)
        for argument in command.arguments {
            bytes.append(UInt8(ascii: "$"))
            appendDecimal(argument.count, to: &bytes)
            appendLineEnd(to: &bytes)
            bytes.append(contentsOf: argument)
            appendLineEnd(to: &bytes)
        }
    }

    private static func appendLineEnd(to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\r"))
        bytes.append(UInt8(ascii: "\n"))
    }

    /// Appends the decimal digits of a count or length (never negative), most significant first.
    private static func appendDecimal(_ value: Int, to bytes: inout [UInt8]) {
        var divisor = 1
        while divisor <= value / 10 { divisor *= 10 }
        var rest = value
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest / divisor))
            rest %= divisor
            divisor /= 10
        } while divisor > 0
    }
}
