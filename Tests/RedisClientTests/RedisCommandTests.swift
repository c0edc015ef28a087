@testable import RedisClient
import Testing

/// Building commands: the convenient existential form and the byte/text forms for hot paths agree.
@Suite("RedisCommand")
struct RedisCommandTests {
    @Test("byte, text and appended arguments build the same command as the variadic form")
    func buildersAgree() {
        let variadic = RedisCommand("HSET", "order:1", "version", 7, [0x00, 0xFF])
        #expect(variadic.arguments.map(Array.init) == [Array("HSET".utf8), Array("order:1".utf8), Array("version".utf8),
                                        Array("7".utf8), [0x00, 0xFF]])
        #expect(RedisCommand(name: "HSET", arguments: [Array("order:1".utf8), Array("version".utf8),
                                                        Array("7".utf8), [0x00, 0xFF]]) == variadic)
        var appended = RedisCommand(name: "HSET", capacity: 4)
        appended.append("order:1")
        appended.append("version")
        appended.append(7)
        appended.append([0x00, 0xFF])
        #expect(appended == variadic)
        #expect(RedisCommand(name: "SUBSCRIBE", arguments: ["a", "b"]) == RedisCommand("SUBSCRIBE", "a", "b"))
        #expect(appended.name == "HSET")
        #expect(RedisCommand("get", "key").name == "GET")
    }

    @Test("integers are sent as their decimal text, shared or formatted, at every edge",
          arguments: [0, 1, 9, 10, 99, 1_023, 1_024, 1_025, 99_999, -1, -10, -1_024, Int.max, Int.min])
    func integerArguments(value: Int) {
        #expect(value.redisArgument == Array(String(value).utf8))
        #expect(RedisCommand("INCRBY", "k", value).arguments.last.map(Array.init) == Array(String(value).utf8))
        var appended = RedisCommand(name: "INCRBY", capacity: 2)
        appended.append("k")
        appended.append(value)
        #expect(appended == RedisCommand("INCRBY", "k", value))
    }

    @Test("every integer from -5,000 to 5,000 and random ones match their decimal text")
    func integerArgumentsRoundTrip() {
        var generator = SystemRandomNumberGenerator()
        let random = (0..<1_000).map { _ in Int.random(in: Int.min...Int.max, using: &generator) }
        for value in Array(-5_000...5_000) + random {
            #expect(value.redisArgument == Array(String(value).utf8), "\(value)")
        }
    }

    @Test("commands that may hold their reply back are told by name, in any case", arguments: [
        ("BLPOP", true), ("brpop", true), ("BLMOVE", true), ("BZPOPMIN", true), ("XREAD", true),
        ("xreadgroup", true), ("WAIT", true), ("WAITAOF", true),
        ("GET", false), ("FCALL", false), ("XADD", false), ("XRANGE", false), ("XRE", false), ("PUBLISH", false),
    ])
    func mayBlock(name: String, blocks: Bool) {
        #expect(RedisCommand(name, "key").mayBlock == blocks)
    }
}
