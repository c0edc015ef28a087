import CHiredis

/// Commands as Redis receives them, formatted by hiredis (`redisFormatCommandArgv`) and laid out in one
/// buffer, one after the other.
///
/// A request's commands are formatted once, by the thread that submits them, so the event loop only
/// copies the finished bytes into hiredis's output buffer (`redisAppendFormattedCommand`). Before, the loop
/// gathered each command's arguments into an argv and had `redisAppendCommandArgv` format them with
/// `sdscatfmt` on its own thread (~12% of that thread's time).
struct WireCommands: Sendable {
    /// The formatted commands, one after the other.
    let bytes: [UInt8]

    /// Formats `commands`, in order.
    init(_ commands: [RedisCommand]) {
        var bytes: [UInt8] = []
        for command in commands {
            Self.format(command.arguments, into: &bytes)
        }
        self.bytes = bytes
    }

    /// Appends one command, its arguments laid out in one block that hiredis's argv points into.
    private static func format(_ arguments: [[UInt8]], into bytes: inout [UInt8]) {
        var lengths = arguments.map(\.count)
        var block: [UInt8] = []
        block.reserveCapacity(lengths.reduce(1, +))
        for argument in arguments {
            block.append(contentsOf: argument)
        }
        block.append(0)  // never empty, so its address is never nil, even when every argument is
        block.withUnsafeBytes { block in
            var offset = 0
            var argv = lengths.map { length -> UnsafePointer<CChar>? in
                defer { offset += length }
                return (block.baseAddress! + offset).assumingMemoryBound(to: CChar.self)
            }
            var target: UnsafeMutablePointer<CChar>?
            let length = redisFormatCommandArgv(&target, Int32(argv.count), &argv, &lengths)
            defer { redisFreeCommand(target) }
            precondition(length >= 0 && target != nil, "hiredis could not allocate a command of \(lengths.count) arguments")
            bytes.append(contentsOf: UnsafeRawBufferPointer(start: target, count: Int(length)))
        }
    }
}
