import EventBus
import Foundation
import Testing

@Suite("CloudEvent envelope")
struct CloudEventDecodingTests {
    static let order = #"{"orderId":"o-1","customerId":"c-1","items":[{"sku":"BOOK-1","quantity":2}],"#
        + #""payment":{"card":"4242424242424242"}}"#

    @Test("an event survives encoding and decoding unchanged")
    func roundTrip() throws {
        let event = CloudEvent(
            source: "switchboard/stock", type: "stock.reserved", correlationID: "o-1", causationID: "e-0",
            traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            data: ["orderId": "o-1", "amount": 2500, "currency": "USD", "items": [["sku": "BOOK-1", "quantity": 2]]]
        )
        let decoded = try CloudEvent(decoding: event.encoded(), channel: "stock.reserved")
        #expect(decoded.id == event.id)
        #expect(decoded.data == event.data)
        #expect(decoded.correlationID == "o-1")
        #expect(decoded.causationID == "e-0")
        #expect(decoded.traceparent == event.traceparent)
        #expect(abs(decoded.time.timeIntervalSince(event.time)) < 0.001)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(event.encoded())) as? [String: Any])
        #expect(json["specversion"] as? String == "1.0")
        #expect(json["datacontenttype"] as? String == "application/json")
    }

    @Test("a bare object becomes the data of an event of the channel's type, with a stable id")
    func barePayload() throws {
        let event = try CloudEvent(decoding: Array(Self.order.utf8), channel: "order.created")
        #expect(event.type == "order.created")
        #expect(event.source == CloudEvent.bareSource)
        #expect(event.correlationID == "o-1")
        #expect(event.causationID == nil)
        #expect(event.data["customerId"] == "c-1")
        let again = try CloudEvent(decoding: Array(Self.order.utf8), channel: "order.created")
        #expect(again.id == event.id, "the same message must get the same id in every service")
    }

    @Test("a follow-up event carries correlation, causation and trace context")
    func causedEvent() {
        let cause = CloudEvent(source: "x", type: "order.created", correlationID: "o-1", traceparent: "00-a-b-01",
                               data: [:])
        let next = cause.caused(type: "stock.reserved", source: "switchboard/stock", data: ["orderId": "o-1"])
        #expect(next.correlationID == "o-1")
        #expect(next.causationID == cause.id)
        #expect(next.traceparent == "00-a-b-01")
        #expect(next.id != cause.id)
    }

    struct Malformed: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var message: String
        var code: CloudEventError.Code
        var mentions: String
    }

    @Test("every malformed message gives a clear error", arguments: [
        Malformed(testDescription: "not JSON", message: "this is not json", code: .notJSON, mentions: "not valid JSON"),
        Malformed(testDescription: "a JSON array", message: "[1,2]", code: .notAnObject, mentions: "array"),
        Malformed(testDescription: "a JSON string", message: "\"hi\"", code: .notAnObject, mentions: "string"),
        Malformed(testDescription: "another specversion",
                  message: #"{"specversion":"0.3","id":"1","source":"s","type":"order.created"}"#,
                  code: .unsupportedSpecVersion, mentions: "0.3"),
        Malformed(testDescription: "no type", message: #"{"specversion":"1.0","id":"1","source":"s"}"#,
                  code: .missingField, mentions: "type"),
        Malformed(testDescription: "no id", message: #"{"specversion":"1.0","source":"s","type":"order.created"}"#,
                  code: .missingField, mentions: "id"),
        Malformed(testDescription: "a numeric id",
                  message: #"{"specversion":"1.0","id":7,"source":"s","type":"order.created"}"#,
                  code: .invalidField, mentions: "id must be a non-empty string"),
        Malformed(testDescription: "a type other than the channel",
                  message: #"{"specversion":"1.0","id":"1","source":"s","type":"payment.completed"}"#,
                  code: .typeMismatch, mentions: "payment.completed"),
        Malformed(testDescription: "a time that is not RFC 3339",
                  message: #"{"specversion":"1.0","id":"1","source":"s","type":"order.created","time":"yesterday"}"#,
                  code: .invalidField, mentions: "yesterday"),
    ])
    func malformed(_ example: Malformed) {
        #expect {
            _ = try CloudEvent(decoding: Array(example.message.utf8), channel: "order.created")
        } throws: { error in
            guard let error = error as? CloudEventError else { return false }
            return error.code == example.code && error.message.contains(example.mentions)
        }
    }

    @Test("a message over the size limit is refused before it is parsed")
    func hugeInput() {
        let huge = Array(#"{"orderId":""#.utf8) + Array(repeating: UInt8(ascii: "x"), count: CloudEvent.maximumEncodedSize)
            + Array(#""}"#.utf8)
        #expect {
            _ = try CloudEvent(decoding: huge, channel: "order.created")
        } throws: { error in
            (error as? CloudEventError)?.code == .tooLarge
        }
    }

    struct Payload: Decodable {
        struct Item: Decodable { var sku: String, quantity: Int }
        var orderId: String
        var items: [Item]
    }

    @Test("a payload that does not fit names the field, as data.<path>")
    func payloadErrorsNameTheField() throws {
        let wrongType = try CloudEvent(decoding: Array(#"{"orderId":"o-1","items":[{"sku":"A","quantity":"2"}]}"#.utf8),
                                       channel: "order.created")
        #expect {
            _ = try wrongType.decodeData(as: Payload.self)
        } throws: { error in
            (error as? CloudEventError)?.message.contains("data.items[0].quantity") == true
        }
        let missing = try CloudEvent(decoding: Array(#"{"orderId":"o-1"}"#.utf8), channel: "order.created")
        #expect {
            _ = try missing.decodeData(as: Payload.self)
        } throws: { error in
            (error as? CloudEventError)?.code == .missingField && (error as? CloudEventError)?.message == "data.items is missing"
        }
    }

    @Test("a trace log reads in causal order, each event once")
    func causalOrder() {
        let created = CloudEvent(source: "a", type: "order.created", correlationID: "o", data: [:])
        let reserved = created.caused(type: "stock.reserved", source: "b", data: [:])
        let paid = reserved.caused(type: "payment.completed", source: "c", data: [:])
        let ordered = TraceLog.causalOrder([reserved, paid, created, reserved])
        #expect(ordered.map(\.type) == ["order.created", "stock.reserved", "payment.completed"])
    }
}
