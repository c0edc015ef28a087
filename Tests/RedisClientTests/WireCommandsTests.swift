import CHiredis
#if canImport(Glibc)
import Glibc
#endif
@testable import RedisClient
import Testing

/// The commands' encoding in the Redis protocol, compared byte for byte with hiredis's own formatter
/// (`redisFormatCommandArgv`), which it replaces on the event loop.
@Suite("Wire commands")
struct WireCommandsTests {
    @Test("a command is encoded as hiredis formats it", arguments: [
        RedisCommand("PING"),
        RedisCommand("SET", "key", "value"),
        RedisCommand(name: "SET", arguments: [[], [0, 13, 10, 255]]),
        RedisCommand("HSET", "order:{p07}:1", "status", "confirmed", "v", 12),
        RedisCommand(name: "XADD", arguments: [[UInt8](repeating: 120, count: 9), [UInt8](repeating: 7, count: 10),
                                               [UInt8](repeating: 1, count: 99_999), [UInt8](repeating: 2, count: 100)]),
    ])
    func matchesHiredis(command: RedisCommand) {
        #expect(WireCommands([command]).bytes == Self.hiredisFormat(command))
    }

    @Test("random commands, from 1 to 40 arguments of 0 to 300 bytes, are encoded as hiredis formats them")
    func randomCommandsMatchHiredis() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let arguments = (0..<Int.random(in: 1...40, using: &generator)).map { _ in
                (0..<Int.random(in: 0...300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            }
            let command = RedisCommand(name: "FCALL", arguments: arguments)
            #expect(WireCommands([command]).bytes == Self.hiredisFormat(command))
        }
    }

    @Test("several commands are encoded one after the other, in order")
    func severalCommandsInOrder() {
        let commands = [RedisCommand("MULTI"), RedisCommand("INCR", "n"), RedisCommand("EXEC")]
        #expect(WireCommands(commands).bytes == commands.flatMap(Self.hiredisFormat))
        #expect(WireCommands([]).bytes.isEmpty)
    }

    /// The bytes `redisFormatCommandArgv` writes for `command`.
    private static func hiredisFormat(_ command: RedisCommand) -> [UInt8] {
        let copies = command.arguments.map { argument in
            let copy = UnsafeMutablePointer<CChar>.allocate(capacity: max(argument.count, 1))
            argument.withUnsafeBytes { bytes in
                UnsafeMutableRawPointer(copy).copyMemory(from: bytes.baseAddress ?? UnsafeRawPointer(copy), byteCount: bytes.count)
            }
            return copy
        }
        defer { copies.forEach { $0.deallocate() } }
        var argv = copies.map { UnsafePointer<CChar>?($0) }
        var lengths = command.arguments.map(\.count)
        var target: UnsafeMutablePointer<CChar>?
        let length = redisFormatCommandArgv(&target, Int32(argv.count), &argv, &lengths)
        defer { redisFreeCommand(target) }
        return [UInt8](UnsafeRawBufferPointer(start: target, count: Int(length)))
    }
}
