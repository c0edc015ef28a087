import JSONBytes
import Testing

@Suite("JSONReader")
struct JSONReaderTests {
    struct Malformed: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var input: [UInt8]
        var offset: Int
        var mentions: String

        init(_ description: String, _ input: String, at offset: Int, _ mentions: String) {
            self.init(description, Array(input.utf8), at: offset, mentions)
        }

        init(_ description: String, _ input: [UInt8], at offset: Int, _ mentions: String) {
            testDescription = description
            self.input = input
            self.offset = offset
            self.mentions = mentions
        }
    }

    @Test("every malformed input is rejected with its offset and a reason", arguments: [
        Malformed("empty input", "", at: 0, "unexpected end of input"),
        Malformed("only whitespace", " \n\t", at: 3, "unexpected end of input"),
        Malformed("a trailing comma in an object", #"{"a":1,}"#, at: 7, "trailing comma before '}'"),
        Malformed("a trailing comma in an array", "[1,2,]", at: 5, "trailing comma before ']'"),
        Malformed("a comma with nothing before it", "[,1]", at: 1, "expected a value, found ','"),
        Malformed("a missing comma", "[1 2]", at: 3, "expected ',' or ']'"),
        Malformed("a missing colon", #"{"a" 1}"#, at: 5, "expected ':' after a member name, found '1'"),
        Malformed("a member name without quotes", "{a:1}", at: 1, "member name in double quotes"),
        Malformed("single quotes", "{'a':1}", at: 1, "member name in double quotes, found '''"),
        Malformed("an unclosed object", #"{"a":1"#, at: 6, "found the end of the input"),
        Malformed("an unclosed array", "[1", at: 2, "found the end of the input"),
        Malformed("a bad escape", #"["\x"]"#, at: 2, "a backslash followed by 'x'"),
        Malformed("a short unicode escape", #""\u12G4""#, at: 1, "four hexadecimal digits"),
        Malformed("a lone high surrogate", #""\uD800""#, at: 1,
                  "high surrogate \u{5C}uD800 is not followed by a low one"),
        Malformed("a high surrogate before a non-surrogate", #""\uD83D\u0041""#, at: 1, "not followed by a low one"),
        Malformed("a lone low surrogate", #""\uDC00""#, at: 1, "lone low surrogate"),
        Malformed("a raw newline in a string", "\"a\nb\"", at: 2, "control character U+000A must be escaped"),
        Malformed("a raw NUL in a string", [0x22, 0x00, 0x22], at: 1, "control character U+0000"),
        Malformed("an unterminated string", #""abc"#, at: 0, "unterminated string"),
        Malformed("a backslash at the end", #""abc\"#, at: 4, "unterminated string"),
        Malformed("an invalid UTF-8 byte", [0x22, 0xFF, 0x22], at: 1, "invalid UTF-8 byte 0xFF"),
        Malformed("an overlong UTF-8 encoding", [0x22, 0xC0, 0x80, 0x22], at: 1, "invalid UTF-8 byte 0xC0"),
        Malformed("a UTF-8 encoded surrogate", [0x22, 0xED, 0xA0, 0x80, 0x22], at: 1, "invalid UTF-8 sequence"),
        Malformed("a truncated UTF-8 sequence", [0x22, 0xE2, 0x82, 0x22], at: 1, "invalid UTF-8 sequence"),
        Malformed("a leading zero", "01", at: 0, "leading zeros"),
        Malformed("a negative leading zero", "[-012]", at: 1, "leading zeros"),
        Malformed("a leading plus", "+1", at: 0, "expected a value, found '+'"),
        Malformed("a bare decimal point", ".5", at: 0, "expected a value, found '.'"),
        Malformed("a fraction without digits", "1.", at: 2, "digit after the decimal point"),
        Malformed("an exponent without digits", "1.5e+", at: 5, "digit in the exponent"),
        Malformed("a lone minus", "-", at: 1, "digit after '-'"),
        Malformed("NaN", "NaN", at: 0, "expected a value, found 'N'"),
        Malformed("Infinity", "[Infinity]", at: 1, "expected a value, found 'I'"),
        Malformed("-Infinity", "-Infinity", at: 1, "digit after '-', found 'I'"),
        Malformed("a misspelt literal", "[tru]", at: 1, "expected true"),
        Malformed("a literal in capitals", "NULL", at: 0, "expected a value, found 'N'"),
        Malformed("garbage after the value", "{} x", at: 3, "unexpected 'x' after the JSON value"),
        Malformed("two values", "1 2", at: 2, "unexpected '2' after the JSON value"),
        Malformed("a comment", "// hi\n1", at: 0, "expected a value, found '/'"),
        Malformed("a byte order mark", [0xEF, 0xBB, 0xBF, 0x31], at: 0, "expected a value, found byte 0xEF"),
        Malformed("nesting over the limit", String(repeating: "[", count: 65) + String(repeating: "]", count: 65),
                  at: 64, "nest deeper than 64 levels"),
    ])
    func malformed(_ example: Malformed) {
        var reader = JSONReader(example.input)
        #expect {
            try reader.skipValue()
            try reader.finish()
        } throws: { error in
            guard let error = error as? JSONReaderError else { return false }
            return error.kind == .syntax && error.offset == example.offset && error.reason.contains(example.mentions)
        }
    }

    @Test("an error says where and what, for a person")
    func errorMessages() {
        var reader = JSONReader(Array(#"{"a":1,}"#.utf8))
        #expect(throws: JSONReaderError(.syntax, at: 7, "a trailing comma before '}' is not allowed")) {
            try reader.skipValue()
        }
        let error = JSONReaderError(.syntax, at: 7, "a trailing comma before '}' is not allowed")
        #expect(error.message(root: "message")
            == "message is not valid JSON at byte 7: a trailing comma before '}' is not allowed")
        let missing = JSONReaderError(.missingMember, at: 3, path: [.member("quantity")], "is missing")
            .within(.index(0)).within(.member("items"))
        #expect(missing.message(root: "data") == "data.items[0].quantity is missing")
    }

    @Test("nesting up to the limit is accepted, and the limit can be set")
    func depthLimit() throws {
        let deep = Array((String(repeating: "[", count: 64) + String(repeating: "]", count: 64)).utf8)
        var reader = JSONReader(deep)
        try reader.skipValue()
        try reader.finish()
        var strict = JSONReader(Array("[[1]]".utf8), maximumDepth: 1)
        #expect(throws: JSONReaderError.self) { try strict.skipValue() }
    }

    @Test("an object's members are read by name, compared as bytes, escaped names included")
    func members() throws {
        let json = Array(#" { "or\u0064erId" : "o-1", "skip": {"x": [1, {"y": null}]}, "n": -12, "ok": true } "#.utf8)
        var reader = JSONReader(json)
        var seen: [String] = []
        var orderID: String?, number: Int?, flag: Bool?
        try reader.beginObject()
        while let key = try reader.nextMember() {
            seen.append(key.description)
            switch key {
            case "orderId": orderID = try reader.readString()
            case "n": number = try reader.readInt()
            case "ok": flag = try reader.readBool()
            default: try reader.skipValue()
            }
        }
        try reader.finish()
        #expect(seen == ["orderId", "skip", "n", "ok"])
        #expect(orderID == "o-1")
        #expect(number == -12)
        #expect(flag == true)
    }

    @Test("strings are unescaped: every escape, surrogate pairs, and raw UTF-8")
    func strings() throws {
        let json = Array(#""a\"b\\c\/d\b\f\n\r\t\u0041\u00e9\u20AC\uD83D\uDE00 é😀""#.utf8)
        var reader = JSONReader(json)
        #expect(try reader.readString() == "a\"b\\c/d\u{8}\u{C}\n\r\tAé€😀 é😀")
    }

    @Test("a string read as a String or as UTF-8: the same text, escaped or not; the same errors")
    func stringAndUTF8() throws {
        let json = Array(#"["order.created","order.\u0063reated","stock.reserved","a\nb",null,1]"#.utf8)
        var reader = JSONReader(json)
        try reader.beginArray()
        for expected in ["order.created", "order.created", "stock.reserved", "a\nb"] {
            #expect(try reader.nextElement())
            let checkpoint = reader.checkpoint
            #expect(try reader.readString() == expected)
            reader.restore(checkpoint)
            #expect(try reader.readStringUTF8().elementsEqual(expected.utf8))
        }
        #expect(try reader.nextElement())
        #expect(throws: JSONReaderError(.nullValue, at: 62, "is null, expected a string")) {
            try reader.readStringUTF8()
        }
        #expect(try reader.nextElement())
        #expect(throws: JSONReaderError(.typeMismatch, at: 67, "has the wrong type, expected a string, found a number")) {
            try reader.readString()
        }
    }

    @Test("integers: the limits of Int, overflow and fractions are errors that name the number")
    func integers() throws {
        func read(_ text: String) throws -> Int {
            var reader = JSONReader(Array(text.utf8))
            return try reader.readInt()
        }
        #expect(try read("9223372036854775807") == Int.max)
        #expect(try read("-9223372036854775808") == Int.min)
        #expect(try read("-0") == 0)
        #expect(try read("2.0") == 2)
        #expect(try read("1e3") == 1000)
        #expect(throws: JSONReaderError(.invalidValue, at: 0, "9223372036854775808 does not fit in a 64-bit integer")) {
            try read("9223372036854775808")
        }
        let belowMin = JSONReaderError(.invalidValue, at: 0, "-9223372036854775809 does not fit in a 64-bit integer")
        #expect(throws: belowMin) {
            try read("-9223372036854775809")
        }
        #expect(throws: JSONReaderError(.invalidValue, at: 0, "2.5 is not a whole number")) { try read("2.5") }
        let mistyped = JSONReaderError(.typeMismatch, at: 0, "has the wrong type, expected a number, found a string")
        #expect(throws: mistyped) {
            try read(#""2""#)
        }
        #expect(throws: JSONReaderError(.nullValue, at: 1, "is null, expected a number")) { try read(" null") }
    }

    @Test("doubles: the nearest value, and numbers past Double's range are errors")
    func doubles() throws {
        func read(_ text: String) throws -> Double {
            var reader = JSONReader(Array(text.utf8))
            return try reader.readDouble()
        }
        #expect(try read("0.1") == 0.1)
        #expect(try read("-2.5e-3") == -0.0025)
        #expect(try read("12345678901234567890") == 12345678901234567890.0)
        #expect(try read("1E2") == 100)
        #expect(throws: JSONReaderError(.invalidValue, at: 0, "1e400 is beyond the range of a double")) {
            try read("1e400")
        }
        var reader = JSONReader(Array("[1, 2.5, 3e0]".utf8))
        var numbers: [JSONReader.Number] = []
        try reader.beginArray()
        while try reader.nextElement() { numbers.append(try reader.readNumber()) }
        #expect(numbers == [.integer(1), .double(2.5), .double(3)])
    }

    @Test("null and booleans; readNull reads nothing but null")
    func literals() throws {
        var reader = JSONReader(Array("[null, false, 1]".utf8))
        try reader.beginArray()
        #expect(try reader.nextElement())
        #expect(try reader.readNull())
        #expect(try reader.nextElement())
        #expect(try reader.readNull() == false)
        #expect(try reader.readBool() == false)
        #expect(try reader.nextElement())
        let mistyped = JSONReaderError(.typeMismatch, at: 14, "has the wrong type, expected a boolean, found a number")
        #expect(throws: mistyped) {
            try reader.readBool()
        }
    }

    @Test("a captured value is its exact bytes, checked, and a reader can go back to a checkpoint")
    func captureAndCheckpoint() throws {
        let json = Array(#"{"data": {"a": [1, "x"]} , "b": 2}"#.utf8)
        var reader = JSONReader(json)
        try reader.beginObject()
        _ = try reader.nextMember()
        let checkpoint = reader.checkpoint
        let data = try reader.captureValue()
        #expect(String(decoding: data, as: UTF8.self) == #"{"a": [1, "x"]}"#)
        #expect(try TestValue(jsonBytes: data) == .object([("a", .array([.integer(1), .string("x")]))]))
        reader.restore(checkpoint)
        #expect(throws: JSONReaderError.self) { try reader.readString() }
        try reader.skipValue()
        #expect(try reader.nextMember()?.description == "b")
        #expect(try reader.readInt() == 2)
        #expect(try reader.nextMember() == nil)
        try reader.finish()

        var invalid = JSONReader(Array(#"{"data": {"a": [1,]}}"#.utf8))
        try invalid.beginObject()
        _ = try invalid.nextMember()
        #expect(throws: JSONReaderError(.syntax, at: 18, "a trailing comma before ']' is not allowed")) {
            try invalid.captureValue()
        }
    }

    @Test("offsets count from the start of the slice read")
    func sliceOffsets() {
        let bytes = Array(#"xxxx[1,}"#.utf8)
        var reader = JSONReader(bytes[4...])
        #expect {
            try reader.skipValue()
        } throws: { error in
            (error as? JSONReaderError)?.offset == 3
        }
    }
}
