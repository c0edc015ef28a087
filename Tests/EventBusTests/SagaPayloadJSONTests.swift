import EventBus
import Foundation
import JSONBytes
import SagaEvents
import Testing

@Suite("Saga payloads read and written without Codable")
struct SagaPayloadJSONTests {
    static let items = [OrderItem(sku: "MUG-1", quantity: 2), OrderItem(sku: "BOOK-1", quantity: 1)]
    static let priced = [PricedItem(sku: "MUG-1", quantity: 2, unitPrice: 1250)]

    /// Checks one payload: the writer writes the members `JSONEncoder` writes, the reader reads what it wrote, and
    /// every mutation of its members (removed, null, another kind) fails or succeeds as with `JSONDecoder`, naming the
    /// same field with the same code.
    private func check<Payload: Codable & JSONCodable & Equatable>(_ payload: Payload) throws {
        let encoder = JSONEncoder()
        #expect(try JSONValue(jsonBytes: payload.jsonBytes) == JSONValue(jsonBytes: Array(try encoder.encode(payload))))
        #expect(try JSONDecoder().decode(Payload.self, from: Data(payload.jsonBytes)) == payload)
        #expect(try Payload(jsonBytes: Array(try encoder.encode(payload))) == payload)
        let event = CloudEvent(source: "s", type: "t", correlationID: nil, traceparent: nil, payload: payload)
        #expect(try event.decodeData(as: Payload.self) == payload)
        #expect(Array(event.dataJSON) == payload.jsonBytes)

        for variant in Self.mutations(of: try JSONValue(encoding: payload)) {
            let fast: CloudEventError?
            do {
                _ = try CloudEvent(source: "s", type: "t", data: variant).decodeData(as: Payload.self)
                fast = nil
            } catch {
                fast = error
            }
            let codable: CloudEventError?
            do {
                _ = try JSONDecoder().decode(Payload.self, from: Data(variant.jsonBytes))
                codable = nil
            } catch let error as DecodingError {
                codable = CloudEventError(decoding: error, in: "data")
            }
            let comparison = "\(variant): \(String(describing: fast)) vs \(String(describing: codable))"
            if codable == nil, let fast {
                // Stricter than Codable only by the contract's rules (`PayloadRules`), never by type.
                #expect(fast.code == .invalidField && fast.message.contains(": must"), "\(comparison)")
                continue
            }
            #expect(fast?.code == codable?.code, "\(comparison)")
            #expect(fast.map(Self.path) == codable.map(Self.path), "\(comparison)")
        }
    }

    /// The field a message names: `data.items[0].quantity`.
    private static func path(_ error: CloudEventError) -> Substring {
        error.message.prefix { $0 != " " && $0 != ":" }
    }

    /// The value with one member, at any depth, removed, made null, or replaced by a value of another kind.
    private static func mutations(of value: JSONValue) -> [JSONValue] {
        switch value {
        case .object(let members):
            return members.keys.flatMap { name -> [JSONValue] in
                var removed = members
                removed[name] = nil
                // Not a fraction for an integer: JSONDecoder does not say which field holds it, the reader does.
                let replacements: [JSONValue] = [.null, 7, "x", [], [:], true]
                return [.object(removed)] + (replacements + mutations(of: members[name]!)).map { replacement in
                    var changed = members
                    changed[name] = replacement
                    return .object(changed)
                }
            }
        case .array(let elements) where !elements.isEmpty:
            return mutations(of: elements[0]).map { .array([$0] + elements.dropFirst()) }
        default:
            return []
        }
    }

    @Test("every payload type writes as JSONEncoder does, reads back, and fails as JSONDecoder does")
    func everyPayload() throws {
        try check(OrderCreated(orderId: "o-1", customerId: "c-1", items: Self.items,
                               payment: PaymentDetails(card: "4242424242424242")))
        try check(OrderCreated(orderId: "o-1", customerId: "c-1", items: Self.items,
                               payment: PaymentDetails(token: "tok_0123", last4: "4242")))
        try check(StockReserved(orderId: "o-1", customerId: "c-1", items: Self.priced, amount: 2500, currency: "USD"))
        try check(StockRejected(orderId: "o-1", reason: .outOfStock, sku: "MUG-1"))
        try check(StockRejected(orderId: "o-1", reason: .invalidOrder))
        try check(StockReleased(orderId: "o-1", items: Self.items))
        try check(PaymentCompleted(orderId: "o-1", paymentId: "pay_1", amount: 2500, currency: "USD"))
        try check(PaymentFailed(orderId: "o-1", reason: .cardDeclined))
        try check(OrderConfirmed(orderId: "o-1", customerId: "c-1", amount: 2500, currency: "USD"))
        try check(OrderCancelled(orderId: "o-1", customerId: "c-1", reason: "out_of_stock"))
        try check(NotificationSent(customerId: "c-1", orderId: "o-1", channel: .email, template: "order-confirmed",
                                   message: "Your order \"o-1\" is confirmed.\n"))
    }

    @Test("messages name the field, the first in declaration order, whatever the order of the members")
    func messages() throws {
        let event = CloudEvent(source: "s", type: EventTypes.orderCreated, data: [
            "payment": 5, "items": [["sku": "A", "quantity": "2"]], "orderId": "o-1",
        ])
        #expect(throws: CloudEventError(.missingField, "data.customerId is missing")) {
            try event.payload(OrderCreated.self)
        }
        let reason = CloudEvent(source: "s", type: EventTypes.paymentFailed, data: ["orderId": "o-1", "reason": "nope"])
        #expect {
            try reason.payload(PaymentFailed.self)
        } throws: { error in
            (error as? CloudEventError)?.message
                .hasPrefix(#"data.reason: "nope" is not one of "card_declined""#) == true
        }
        let quantity = CloudEvent(source: "s", type: EventTypes.orderCreated, data: [
            "orderId": "o-1", "customerId": "c", "payment": ["card": "1"],
            "items": [["sku": "A", "quantity": 1], ["sku": "B"]],
        ])
        #expect(throws: CloudEventError(.missingField, "data.items[1].quantity is missing")) {
            try quantity.payload(OrderCreated.self)
        }
    }

    @Test("orderID reads only the orderId member, and says what is wrong with it")
    func orderID() throws {
        let event = try CloudEvent(decoding: Array(#"{"items":[{"a":[1,2]}],"orderId":"o-7","rest":1}"#.utf8),
                                   channel: EventTypes.orderCreated)
        #expect(try event.orderID() == "o-7")
        let cases: [(JSONValue, CloudEventError)] = [
            (["reason": "x"], CloudEventError(.missingField, "data.orderId is missing")),
            (["orderId": 42],
             CloudEventError(.invalidField, "data.orderId has the wrong type, expected a string, found a number")),
            (["orderId": nil], CloudEventError(.missingField, "data.orderId is null, expected a string")),
            (["orderId": ""], CloudEventError(.invalidField, "data.orderId must not be empty")),
            ([1], CloudEventError(.invalidField, "data has the wrong type, expected an object, found an array")),
        ]
        for (data, expected) in cases {
            #expect(throws: expected) { try CloudEvent(source: "s", type: "t", data: data).orderID() }
        }
    }
}
