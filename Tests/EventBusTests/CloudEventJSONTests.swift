import EventBus
import Foundation
import JSONBytes
import SagaEvents
import Telemetry
import Testing

@Suite("CloudEvent JSON, one pass")
struct CloudEventJSONTests {
    static let dataOfEveryKind: [JSONValue] = [
        .null, true, false, 0, .integer(Int.min), .integer(Int.max), .double(2.5), .double(-1e-7), "",
        "é \"quoted\" \\ / \n 😀", [], [1, "two", nil, [3]], [:],
        ["orderId": "o-1", "items": [["sku": "A", "quantity": 2]], "nested": ["deeper": [true, .double(0.5)]]],
    ]

    /// A time that envelopes carry exactly (they carry milliseconds, truncated).
    static let time = RFC3339.date(from: "2026-11-23T10:00:00.123Z")!

    @Test("events with every combination of optional attributes and data of every JSON kind read back equal",
          arguments: dataOfEveryKind)
    func roundTrip(data: JSONValue) throws {
        for mask in 0..<8 {
            let event = CloudEvent(
                source: "switchboard/test", type: "stock.reserved", time: Self.time,
                correlationID: mask & 1 != 0 ? "o-1" : nil, causationID: mask & 2 != 0 ? "e-0" : nil,
                traceparent: mask & 4 != 0 ? "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" : nil,
                data: data
            )
            let bytes = event.encoded()
            let decoded = try CloudEvent(decoding: bytes, channel: "stock.reserved")
            #expect(decoded == event)
            #expect(try CloudEvent(envelope: bytes) == event)
            #expect(decoded.encoded() == bytes, "an event read and written again gives the same bytes")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
            #expect(json["correlationid"] as? String == event.correlationID)
            #expect(json["time"] as? String == "2026-11-23T10:00:00.123Z")
        }
    }

    @Test("attributes are written in CloudEvents order, absent ones omitted, the data spliced in as it is")
    func encodedLayout() throws {
        let payload = #"{"orderId":"o-1","note":"a/b"}"#
        let bare = try CloudEvent(decoding: Array(payload.utf8), channel: "order.created")
        let text = String(decoding: bare.encoded(), as: UTF8.self)
        #expect(text.hasPrefix(#"{"specversion":"1.0","id":"bare-"#))
        #expect(text.contains(#""source":"switchboard/bare-payload","type":"order.created","time":""#))
        #expect(text.hasSuffix(#""datacontenttype":"application/json","correlationid":"o-1","data":"# + payload + "}"))
        #expect(!text.contains("causationid"))
    }

    @Test("a bare payload's id is derived from its channel and bytes: the same for every service that gets it")
    func bareIDs() throws {
        let payload = Array(#"{"orderId":"o-1"}"#.utf8)
        let event = try CloudEvent(decoding: payload, channel: "order.created")
        #expect(event.id == "bare-54295f7c2ac5d9d4574d491380a50c9f")
        #expect(try CloudEvent(decoding: payload, channel: "order.created").id == event.id)
        #expect(try CloudEvent(decoding: payload, channel: "order.cancelled").id != event.id)
        #expect(try CloudEvent(decoding: Array(#"{"orderId":"o-2"}"#.utf8), channel: "order.created").id != event.id)
    }

    @Test("a bare payload keeps its bytes as data; its orderId is the correlation only when it is a string")
    func barePayloads() throws {
        let spaced = try CloudEvent(decoding: Array(" {\"orderId\" : \"o-9\", \"n\": [1]} \n".utf8),
                                    channel: "order.created")
        #expect(spaced.correlationID == "o-9")
        #expect(spaced.data == ["orderId": "o-9", "n": [1]])
        let numeric = try CloudEvent(decoding: Array(#"{"orderId":42}"#.utf8), channel: "order.created")
        #expect(numeric.correlationID == nil)
        #expect(try CloudEvent(decoding: numeric.encoded(), channel: "order.created").data == ["orderId": 42])
        #expect(throws: CloudEventError(.missingField, "specversion is missing: this is not an event envelope")) {
            try CloudEvent(envelope: Array(#"{"orderId":"o-1"}"#.utf8))
        }
    }

    @Test("absent data is null; data: null is null")
    func absentData() throws {
        let absent = try CloudEvent(decoding: Array(#"{"specversion":"1.0","id":"1","source":"s","type":"t"}"#.utf8),
                                    channel: "t")
        #expect(absent.data == .null)
        #expect(String(decoding: absent.encoded(), as: UTF8.self).hasSuffix(#""data":null}"#))
    }

    struct Malformed: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var message: String
        var code: CloudEventError.Code
        var error: String
    }

    static let envelope = #""specversion":"1.0","id":"1","source":"s","type":"order.created""#

    @Test("malformed messages: the code and the whole message", arguments: [
        Malformed(testDescription: "a trailing comma", message: "{\(envelope),}", code: .notJSON,
                  error: "message is not valid JSON at byte 66: a trailing comma before '}' is not allowed"),
        Malformed(testDescription: "invalid data after valid attributes",
                  message: #"{"specversion":"0.3","data":[1,,2]}"#, code: .notJSON,
                  error: "message is not valid JSON at byte 31: expected a value, found ','"),
        Malformed(testDescription: "garbage after the object", message: "{\(envelope)} {}", code: .notJSON,
                  error: "message is not valid JSON at byte 67: unexpected '{' after the JSON value"),
        Malformed(testDescription: "a number", message: "12", code: .notAnObject,
                  error: "message is a JSON number, expected an object"),
        Malformed(testDescription: "null", message: " null ", code: .notAnObject,
                  error: "message is a JSON null, expected an object"),
        Malformed(testDescription: "a numeric specversion", message: #"{"specversion":1.0}"#,
                  code: .unsupportedSpecVersion, error: #"specversion is 1.0, only "1.0" is supported"#),
        Malformed(testDescription: "an empty source",
                  message: #"{"specversion":"1.0","id":"1","source":"","type":"order.created"}"#,
                  code: .invalidField, error: "source must be a non-empty string, found string"),
        Malformed(testDescription: "a numeric time", message: "{\(envelope),\"time\":5}", code: .invalidField,
                  error: "time must be a string, found number"),
        Malformed(testDescription: "an object correlation id", message: "{\(envelope),\"correlationid\":{}}",
                  code: .invalidField, error: "correlationid must be a string, found object"),
        Malformed(testDescription: "a time with a date that does not exist",
                  message: "{\(envelope),\"time\":\"2026-13-01T00:00:00Z\"}", code: .invalidField,
                  error: #"time "2026-13-01T00:00:00Z" is not an RFC 3339 timestamp"#),
    ])
    func malformed(_ example: Malformed) {
        #expect(throws: CloudEventError(example.code, example.error)) {
            try CloudEvent(decoding: Array(example.message.utf8), channel: "order.created")
        }
    }

    @Test("null optional attributes are absent")
    func nullAttributes() throws {
        let event = try CloudEvent(decoding: Array("{\(Self.envelope),\"correlationid\":null,\"time\":null}".utf8),
                                   channel: "order.created")
        #expect(event.correlationID == nil)
    }

    @Test("escaped attribute values are unescaped")
    func escapedAttributes() throws {
        let event = try CloudEvent(
            decoding: Array((#"{"specversion":"1\u002e0","id":"a\"b","source":"s\/t","type":"order.created","#
                + #""time":"2026-11-23T10:00:00.123Z"}"#).utf8),
            channel: "order.created")
        #expect(event.id == "a\"b")
        #expect(event.source == "s/t")
        #expect(try CloudEvent(decoding: event.encoded(), channel: "order.created") == event)
    }

    /// Decodable only, unlike `OrderItem` (the same members), which is `JSONReadable` too.
    struct Line: Decodable, Equatable {
        var sku: String
        var quantity: Int
    }

    @Test("decodeData reads JSONReadable types from the bytes and others with JSONDecoder, with the same errors")
    func decodeData() throws {
        let good = try CloudEvent(decoding: Array(#"{"sku":"A","quantity":2,"extra":[1]}"#.utf8), channel: "x")
        #expect(try good.decodeData(as: Line.self) == Line(sku: "A", quantity: 2))
        #expect(try good.decodeData(as: OrderItem.self) == OrderItem(sku: "A", quantity: 2))
        let cases: [(String, CloudEventError.Code, String)] = [
            (#"{"sku":"A"}"#, .missingField, "data.quantity is missing"),
            (#"{"quantity":"2","sku":null}"#, .missingField, "data.sku is null, expected a string"),
            (#"{"quantity":"2","sku":"A"}"#, .invalidField, "data.quantity has the wrong type, expected a number"),
        ]
        let fraction = try CloudEvent(decoding: Array(#"{"quantity":2.5,"sku":"A"}"#.utf8), channel: "x")
        #expect(throws: CloudEventError(.invalidField, "data.quantity: 2.5 is not a whole number")) {
            try fraction.decodeData(as: OrderItem.self)
        }
        for (json, code, message) in cases {
            let event = try CloudEvent(decoding: Array(json.utf8), channel: "x")
            let decoders = [
                { _ = try event.decodeData(as: Line.self) }, { _ = try event.decodeData(as: OrderItem.self) },
            ]
            for decode in decoders {
                #expect {
                    try decode()
                } throws: { error in
                    guard let error = error as? CloudEventError else { return false }
                    return error.code == code && error.message.hasPrefix(message)
                }
            }
        }
    }

    @Test("an event with data built in code reads its data the same way")
    func valueData() throws {
        let event = CloudEvent(source: "s", type: "t", data: ["sku": "B", "quantity": 3])
        #expect(try event.decodeData(as: OrderItem.self) == OrderItem(sku: "B", quantity: 3))
        #expect(String(decoding: event.dataJSON, as: UTF8.self).contains(#""quantity":3"#))
    }
}

@Suite("CloudEvent ids")
struct CloudEventIDTests {
    @Test("new ids are distinct lowercase version 4 UUIDs, across refills of the random buffer and threads")
    func newIDs() async throws {
        // 4 tasks × 2,000 ids: several refills of the 256-id buffer, taken from concurrently.
        let ids = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<4 { group.addTask { (0..<2_000).map { _ in CloudEvent.newID() } } }
            return await group.reduce(into: []) { $0 += $1 }
        }
        #expect(Set(ids).count == ids.count)
        for id in ids {
            let uuid = try #require(UUID(uuidString: id))
            #expect(uuid.uuidString.lowercased() == id)
            #expect(uuid.uuid.6 >> 4 == 4, "version 4")
            #expect(uuid.uuid.8 >> 6 == 0b10, "RFC 4122 variant")
        }
    }

    @Test("compact ids: the prefix and 32 lowercase hex digits, distinct")
    func compactIDs() {
        let ids = (0..<1_000).map { _ in RandomIdentifier.compact(prefix: "ord_") }
        #expect(Set(ids).count == ids.count)
        for id in ids {
            #expect(id.hasPrefix("ord_") && id.count == 36)
            #expect(id.dropFirst(4).allSatisfy { $0.isHexDigit && !$0.isUppercase })
        }
    }
}
