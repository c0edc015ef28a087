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

    /// Encodes `commands`, in order, into a buffer of exactly their size.
    init(_ commands: [RedisCommand]) {
        var size = 0
        for command in commands {
            size += Self.headerSize(command.arguments.count)
            for argument in command.arguments { size += Self.headerSize(argument.count) + argument.count + 2 }
        }
        bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            guard var cursor = buffer.baseAddress else { return }
            for command in commands {
                Self.writeHeader(UInt8(ascii: "*"), command.arguments.count, at: &cursor)
                for argument in command.arguments {
                    Self.writeHeader(UInt8(ascii: "$"), argument.count, at: &cursor)
                    argument.withUnsafeBufferPointer { source in
                        if let start = source.baseAddress { cursor.update(from: start, count: source.count) }
                    }
                    cursor += argument.count
                    Self.writeLineEnd(at: &cursor)
                }
            }
            initialized = size
        }
    }

    /// The size of `*<value>\r\n` or `$<value>\r\n`.
    private static func headerSize(_ value: Int) -> Int {
        3 + digitCount(value)
    }

    /// Writes a marker, the decimal digits of `value` (a count or a length, never negative) and a line end.
    private static func writeHeader(_ marker: UInt8, _ value: Int, at cursor: inout UnsafeMutablePointer<UInt8>) {
        cursor.pointee = marker
        cursor += 1
        let digits = digitCount(value)
        var rest = value
        var index = digits
        repeat {
            index -= 1
            cursor[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10)
            rest /= 10
        } while index > 0
        cursor += digits
        writeLineEnd(at: &cursor)
    }

    private static func writeLineEnd(at cursor: inout UnsafeMutablePointer<UInt8>) {
        cursor[0] = UInt8(ascii: "\r")
        cursor[1] = UInt8(ascii: "\n")
        cursor += 2
    }

    private static func digitCount(_ value: Int) -> Int {
        var count = 1
        var rest = value
        while rest >= 10 {
            rest /= 10
            count += 1
        }
        return count
    }
}
