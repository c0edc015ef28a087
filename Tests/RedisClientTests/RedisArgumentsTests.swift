@testable import RedisClient
import Testing

/// Arguments in one buffer: each reads back as it was appended, whatever its kind, and hiredis gets
/// exactly those bytes.
@Suite("RedisArguments")
struct RedisArgumentsTests {
    @Test("bytes, text and integers read back in order, empty ones included")
    func readsBack() {
        var arguments = RedisArguments()
        arguments.append([0x00, 0xFF])
        arguments.append("")
        arguments.append("order:{p07}:1")
        arguments.append(-42)
        arguments.append([UInt8]())
        arguments.append("é")
        #expect(arguments.map(Array.init) == [[0x00, 0xFF], [], Array("order:{p07}:1".utf8), Array("-42".utf8), [],
                                              Array("é".utf8)])
        #expect(arguments.count == 6)
        #expect(arguments.byteCount == 2 + 13 + 3 + 2)
        #expect(RedisArguments().isEmpty)
    }

    @Test("an argument of two texts is one argument, between its neighbours")
    func twoTexts() {
        var arguments = RedisArguments()
        arguments.append("FCALL")
        arguments.append("switchboard_commit", followedBy: "_1a2b3c4d")
        arguments.append("", followedBy: "")
        arguments.append(3)
        #expect(arguments.map(Array.init) == [Array("FCALL".utf8), Array("switchboard_commit_1a2b3c4d".utf8), [],
                                              Array("3".utf8)])
    }

    @Test("integers are written as their decimal text at every edge",
          arguments: [0, 1, 9, 10, 99, 100, 1_023, 1_024, -1, -9, -10, Int.max, Int.min])
    func integers(value: Int) {
        var arguments = RedisArguments()
        arguments.append("before")
        arguments.append(value)
        arguments.append("after")
        #expect(arguments.map(Array.init) == [Array("before".utf8), Array(String(value).utf8), Array("after".utf8)])
    }

    @Test("random integers match their decimal text")
    func randomIntegers() {
        var generator = SystemRandomNumberGenerator()
        var arguments = RedisArguments()
        let values = (0..<2_000).map { _ in Int.random(in: Int.min...Int.max, using: &generator) }
        for value in values { arguments.append(value) }
        #expect(arguments.map { String(decoding: $0, as: UTF8.self) } == values.map(String.init))
    }

    @Test("arguments appended from others keep their boundaries, and equal arguments built either way are equal")
    func appendingArguments() {
        let keys = RedisArguments(["order:1", "", "trace:1"])
        var command = RedisArguments(["FCALL", "f"])
        command.append(keys.count)
        command.append(contentsOf: keys)
        command.append(contentsOf: [[1, 2], []])
        #expect(command.map(Array.init) == [Array("FCALL".utf8), Array("f".utf8), Array("3".utf8), Array("order:1".utf8),
                                             [], Array("trace:1".utf8), [1, 2], []])
        #expect(RedisArguments([Array("a".utf8), Array("bc".utf8)]) == RedisArguments(["a", "bc"]))
        #expect(RedisArguments(["ab", "c"]) != RedisArguments(["a", "bc"]))
    }

    @Test("any convertible values write themselves as their bytes, a type with only `redisArgument` too")
    func convertibleValues() {
        let values: [any RedisArgumentConvertible] = ["order:1", -7, [0x00, 0xFF] as [UInt8], "xyz".dropFirst(),
                                                      OnlyBytes(), ""]
        #expect(RedisArguments(values).map(Array.init) == values.map(\.redisArgument))
        #expect(RedisArguments(values).map(Array.init) == [Array("order:1".utf8), Array("-7".utf8), [0x00, 0xFF],
                                                           Array("yz".utf8), [1, 2, 3], []])
    }

    @Test("hiredis gets a pointer and the length of each argument, none null, even when all are empty")
    func argv() {
        for arguments in [RedisArguments(["SET", "key", "value"]), RedisArguments([[], []]), RedisArguments()] {
            let seen: [[UInt8]] = arguments.withArgv { argc, argv, lengths in
                (0..<Int(argc)).map { index in
                    let pointer = argv[index]!
                    return Array(UnsafeRawBufferPointer(start: pointer, count: lengths[index]))
                }
            }
            #expect(seen == arguments.map(Array.init))
        }
    }
}

/// A convertible type that gives its bytes only, so it is appended by the protocol's default.
private struct OnlyBytes: RedisArgumentConvertible {
    var redisArgument: [UInt8] { [1, 2, 3] }
}
