import Foundation
import JSONBytes
import Testing

@Suite("JSON round trips and fuzzing")
struct JSONRoundTripTests {
    @Test("random values written then read back are equal, and written again give the same bytes",
          arguments: [1, 2, 3, 4, 5] as [UInt64])
    func roundTrip(seed: UInt64) throws {
        var generator = SeededGenerator(state: seed)
        for _ in 0..<300 {
            let value = TestValue.random(depth: 4, using: &generator)
            let bytes = value.jsonBytes
            let read = try TestValue(jsonBytes: bytes)
            #expect(read == value, "\(String(decoding: bytes, as: UTF8.self))")
            #expect(read.jsonBytes == bytes)
            #expect((try? JSONSerialization.jsonObject(with: Data(bytes), options: .fragmentsAllowed)) != nil,
                    "Foundation must accept what the writer writes: \(String(decoding: bytes, as: UTF8.self))")
        }
    }

    @Test("a document Foundation wrote reads as the values it holds")
    func readsFoundationOutput() throws {
        let object: [String: Any] = ["s": "é\"\\/\n😀", "i": Int.max, "n": -7, "d": 0.25, "b": false, "a": [1, "x"]]
        let bytes = Array(try JSONSerialization.data(withJSONObject: object, options: .sortedKeys))
        #expect(try TestValue(jsonBytes: bytes) == .object([
            ("a", .array([.integer(1), .string("x")])), ("b", .bool(false)), ("d", .double(0.25)),
            ("i", .integer(Int.max)), ("n", .integer(-7)), ("s", .string("é\"\\/\n😀")),
        ]))
    }

    @Test("mutated and truncated documents never crash: each reads or fails with an offset inside it and a reason",
          arguments: [11, 12, 13] as [UInt64])
    func mutations(seed: UInt64) {
        var generator = SeededGenerator(state: seed)
        let interesting = Array(#"{}[]",:\u0-.eE+01tfn "#.utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xED, 0xF0, 0xFF]
        var failures = 0
        for _ in 0..<200 {
            let original = TestValue.random(depth: 3, using: &generator).jsonBytes
            var variants: [[UInt8]] = (0..<min(original.count, 8)).map { _ in
                Array(original.prefix(Int.random(in: 0..<original.count, using: &generator)))
            }
            for _ in 0..<12 {
                var bytes = original
                for _ in 0..<Int.random(in: 1...3, using: &generator) {
                    let position = Int.random(in: 0...bytes.count, using: &generator)
                    let byte = Bool.random(using: &generator) ? interesting.randomElement(using: &generator)!
                        : UInt8.random(in: 0...255, using: &generator)
                    switch Int.random(in: 0..<3, using: &generator) {
                    case 0 where position < bytes.count: bytes[position] = byte
                    case 1 where position < bytes.count: bytes.remove(at: position)
                    default: bytes.insert(byte, at: position)
                    }
                }
                variants.append(bytes)
            }
            for bytes in variants {
                do {
                    _ = try TestValue(jsonBytes: bytes)
                } catch {
                    failures += 1
                    #expect(error.offset >= 0 && error.offset <= bytes.count && !error.reason.isEmpty,
                            "\(error) for \(bytes)")
                }
            }
        }
        #expect(failures > 1000, "the mutations must reach the error paths")
    }

    /// Where Foundation is more lenient than RFC 8259, and the reader is not.
    static let stricterThanFoundation: Set<String> = ["[1,]", "{\"a\":1,}"]

    @Test("the reader accepts and rejects what Foundation's JSONSerialization does, but for trailing commas",
          arguments: [
        "0", "-0", "-0.0", "1e5", "1E+5", "1e-5", "0.5e1", "123456789012345678901234567890",
        "1.7976931348623157e308", "5e-324", "\"\"", "\"\\u0000\"", "\"\\uD83D\\uDE00\"", "\"\\/\"", "[]", "{}",
        " [ 1 , 2 ] ", "{\"a\":{\"b\":[{}]}}", "{\"a\":1,\"a\":2}", "true", "false", "null", "\"\u{7F}\"",
        "\"é😀\"", "[1,]", "{\"a\":1,}", "[,]", "01", "-01", "+1", ".1", "1.", "1.e1", "1e", "1e+", "--1", "0x10",
        "NaN", "Infinity", "-Infinity", "tru", "nul", "True", "'a'", "\"a", "\"\\x\"", "\"\\u12\"", "\"\\uD800\"",
        "\"\\uDC00\"", "\"\\uD800\\u0041\"", "\"a\tb\"", "\"a\nb\"", "[1 2]", "{\"a\" 1}", "{a:1}", "{\"a\":}",
        "{1:1}", "[1]]", "{}}", "1 2", "[] x", "", " ", "// c\n1", "/* c */ 1", "[\"a\"\"b\"]", "{\"a\":1 \"b\":2}",
    ])
    func agreesWithFoundation(input: String) {
        let bytes = Array(input.utf8)
        let ours = (try? TestValue(jsonBytes: bytes)) != nil
        let foundation = (try? JSONSerialization.jsonObject(with: Data(bytes), options: .fragmentsAllowed)) != nil
        if Self.stricterThanFoundation.contains(input) {
            #expect(!ours && foundation, "\(input): Foundation accepts trailing commas, the reader does not")
        } else {
            #expect(ours == foundation, "\(input): ours \(ours ? "accepts" : "rejects")")
        }
    }
}
