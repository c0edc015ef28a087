import JSONBytes
import Testing

@Suite("JSONWriter")
struct JSONWriterTests {
    private func text(_ write: (inout JSONWriter) -> Void) -> String {
        var writer = JSONWriter(capacity: 16)
        write(&writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    @Test("strings escape quotes, backslashes and control characters, and nothing else")
    func escaping() {
        #expect(text { $0.string("a\"b\\c/d\n\r\t\u{8}\u{C}\u{0}\u{1F}\u{7F}é€😀") }
            == #""a\"b\\c/d\n\r\t\b\f\u0000\u001f"# + "\u{7F}é€😀\"")
        #expect(text { $0.string("") } == #""""#)
    }

    @Test("numbers: Int's limits, doubles as the shortest text that reads back, non-finite as null")
    func numbers() {
        #expect(text { $0.integer(Int.min) } == "-9223372036854775808")
        #expect(text { $0.integer(Int.max) } == "9223372036854775807")
        #expect(text { $0.integer(0) } == "0")
        #expect(text { $0.double(0.1) } == "0.1")
        #expect(text { $0.double(1e21) } == "1e+21")
        #expect(text { $0.double(-0.0) } == "-0.0")
        #expect(text { $0.double(.nan) } == "null")
        #expect(text { $0.double(-.infinity) } == "null")
    }

    @Test("commas and colons go where they belong, at every depth, with raw JSON spliced in")
    func structure() {
        let payload = Array(#"{"x": [1, 2]}"#.utf8)
        let json = text { writer in
            writer.beginObject()
            writer.member("a", 1)
            writer.key("list")
            writer.beginArray()
            writer.beginArray()
            writer.endArray()
            writer.beginObject()
            writer.endObject()
            writer.bool(true)
            writer.null()
            writer.endArray()
            writer.member("opt", String?.none)
            writer.key("data")
            writer.raw(payload[...])
            writer.member("q\"", ["s"])
            writer.endObject()
        }
        #expect(json == #"{"a":1,"list":[[],{},true,null],"opt":null,"data":{"x": [1, 2]},"q\"":["s"]}"#)
    }
}
