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

    /// Formats one command.
    init(_ command: RedisCommand) {
        var bytes: [UInt8] = []
        Self.format(command.arguments, into: &bytes)
        self.bytes = bytes
    }

    /// Appends one command as hiredis formats it.
    private static func format(_ arguments: RedisArguments, into bytes: inout [UInt8]) {
        arguments.withArgv { argc, argv, lengths in
            var target: UnsafeMutablePointer<CChar>?
            let length = redisFormatCommandArgv(&target, argc, argv, lengths)
            defer { redisFreeCommand(target) }
            precondition(length >= 0 && target != nil, "hiredis could not allocate a command of \(argc) arguments")
            bytes.append(contentsOf: UnsafeRawBufferPointer(start: target, count: Int(length)))
        }
    }
}
