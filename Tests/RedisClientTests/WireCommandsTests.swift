import CHiredis
@testable import RedisClient
import Testing

/// The commands as formatted for the event loop: the Redis protocol for exactly their arguments, read back
/// with hiredis's own reader.
@Suite("Wire commands")
struct WireCommandsTests {
    @Test("a command is an array of bulk strings in the Redis protocol")
    func protocolBytes() {
        let bytes = WireCommands([RedisCommand("SET", "key", "value")]).bytes
        #expect(String(decoding: bytes, as: UTF8.self) == "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n")
    }

    @Test("empty, binary and 100 KB arguments read back as they were", arguments: [
        RedisCommand("PING"),
        RedisCommand(name: "SET", arguments: [[], [0, 13, 10, 255]]),
        RedisCommand(name: "SET", arguments: [[], []]),
        RedisCommand("HSET", "order:{p07}:1", "status", "confirmed", "v", 12),
        RedisCommand(name: "XADD", arguments: [[UInt8](repeating: 120, count: 9), [UInt8](repeating: 7, count: 10),
                                               [UInt8](repeating: 1, count: 99_999), [UInt8](repeating: 2, count: 100)]),
    ])
    func readsBack(command: RedisCommand) {
        #expect(Self.readBack(WireCommands([command]).bytes) == [command.arguments.map(Array.init)])
    }

    @Test("random commands, from 1 to 40 arguments of 0 to 300 bytes, read back as they were")
    func randomCommandsReadBack() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let arguments = (0..<Int.random(in: 1...40, using: &generator)).map { _ in
                (0..<Int.random(in: 0...300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            }
            let command = RedisCommand(name: "FCALL", arguments: arguments)
            #expect(Self.readBack(WireCommands([command]).bytes) == [[Array("FCALL".utf8)] + arguments])
        }
    }

    @Test("several commands are laid out one after the other, in order")
    func severalCommandsInOrder() {
        let commands = [RedisCommand("MULTI"), RedisCommand("INCR", "n"), RedisCommand("EXEC")]
        #expect(Self.readBack(WireCommands(commands).bytes) == commands.map { $0.arguments.map(Array.init) })
        #expect(WireCommands([]).bytes.isEmpty)
    }

    /// Each command in `bytes`, parsed by hiredis's reader as the array of bulk strings it must be.
    private static func readBack(_ bytes: [UInt8]) -> [[[UInt8]]] {
        let reader = redisReaderCreate()!
        defer { redisReaderFree(reader) }
        bytes.withUnsafeBytes { _ = redisReaderFeed(reader, $0.baseAddress?.assumingMemoryBound(to: CChar.self), $0.count) }
        var commands: [[[UInt8]]] = []
        while true {
            var raw: UnsafeMutableRawPointer?
            guard redisReaderGetReply(reader, &raw) == REDIS_OK, let raw else { break }
            defer { freeReplyObject(raw) }
            let reply = raw.assumingMemoryBound(to: redisReply.self).pointee
            guard reply.type == REDIS_REPLY_ARRAY else { return [] }
            commands.append((0..<reply.elements).map { index in
                let element = reply.element[index]!.pointee
                guard element.type == REDIS_REPLY_STRING else { return [255, 255] }
                return [UInt8](UnsafeRawBufferPointer(start: element.str, count: element.len))
            })
        }
        return commands
    }
}
