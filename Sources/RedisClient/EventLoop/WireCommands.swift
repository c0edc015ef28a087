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

    /// Appends one command as hiredis formats it.
    private static func format(_ arguments: [[UInt8]], into bytes: inout [UInt8]) {
        withArgv(arguments) { argc, argv, lengths in
            var target: UnsafeMutablePointer<CChar>?
            let length = redisFormatCommandArgv(&target, argc, argv, lengths)
            defer { redisFreeCommand(target) }
            precondition(length >= 0 && target != nil, "hiredis could not allocate a command of \(argc) arguments")
            bytes.append(contentsOf: UnsafeRawBufferPointer(start: target, count: Int(length)))
        }
    }

    /// Lays the arguments out in one temporary buffer (on the stack when small) and calls `body` with argc,
    /// argv and the lengths: no heap allocation besides hiredis's own.
    private static func withArgv<Result>(
        _ arguments: [[UInt8]],
        _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> Result
    ) -> Result {
        var total = 0
        for argument in arguments { total += argument.count }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(total, 1)) { storage in
            withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: arguments.count) { pointers in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: arguments.count) { lengths in
                    var offset = 0
                    for (index, argument) in arguments.enumerated() {
                        let start = storage.baseAddress! + offset
                        argument.withUnsafeBufferPointer { bytes in
                            if let source = bytes.baseAddress { start.update(from: source, count: bytes.count) }
                        }
                        pointers[index] = UnsafeRawPointer(start).assumingMemoryBound(to: CChar.self)
                        lengths[index] = argument.count
                        offset += argument.count
                    }
                    return body(Int32(arguments.count), pointers.baseAddress!, UnsafePointer(lengths.baseAddress!))
                }
            }
        }
    }
}
