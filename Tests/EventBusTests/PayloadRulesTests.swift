import EventBus
import SagaEvents
import Testing

/// The contract's field rules (`docs/asyncapi.yaml`, `PayloadRules`) are enforced while each payload is read
/// from the bus, with the field and the rule in the reason a dead letter records.
@Suite("Payload rules on the bus")
struct PayloadRulesTests {
    static let item: JSONValue = ["sku": "MUG-1", "quantity": 2]
    static let order: JSONValue = [
        "orderId": "o-1", "customerId": "c-1", "items": [item], "payment": ["card": "4242424242424242"],
    ]

    /// `order` with one member changed (`value` nil removes it), and the message reading it must give.
    static let brokenOrders: [(member: String, value: JSONValue, message: String)] = [
        ("orderId", "", "data.orderId: must be 1 to 200 characters"),
        ("orderId", .string(String(repeating: "o", count: 201)), "data.orderId: must be 1 to 200 characters"),
        ("customerId", "", "data.customerId: must be 1 to 200 characters"),
        ("items", [], "data.items: must hold 1 to 100 items, found 0"),
        ("items", .array(Array(repeating: item, count: 101)), "data.items: must hold 1 to 100 items, found 101"),
        ("items", [["sku": "BOOK 1", "quantity": 1]],
         #"data.items[0].sku: must be 1 to 64 letters, digits, '-', '_' or '.', found "BOOK 1""#),
        ("items", [["sku": .string(String(repeating: "A", count: 65)), "quantity": 1]],
         "data.items[0].sku: must be 1 to 64 letters, digits, '-', '_' or '.', found \"\(String(repeating: "A", count: 65))\""),
        ("items", [["sku": "MUG-1", "quantity": 0]], "data.items[0].quantity: must be from 1 to 1000000, found 0"),
        ("items", [["sku": "MUG-1", "quantity": 1_000_001]],
         "data.items[0].quantity: must be from 1 to 1000000, found 1000001"),
        ("payment", ["card": "abc"], "data.payment.card: must be 12 to 19 digits"),
        ("payment", ["card": "42424242424"], "data.payment.card: must be 12 to 19 digits"),
        ("payment", ["card": "42424242424242424242"], "data.payment.card: must be 12 to 19 digits"),
    ]

    @Test("order.created: every broken rule dead-letters the event, naming the field and the rule",
          arguments: brokenOrders)
    func brokenOrderCreated(member: String, value: JSONValue, message: String) throws {
        guard case .object(var members) = Self.order else { return }
        members[member] = value
        let event = CloudEvent(source: "s", type: EventTypes.orderCreated, data: .object(members))
        let error = try #require(throws: CloudEventError.self) { try event.payload(OrderCreated.self) }
        #expect(error.code == .invalidField)
        #expect(error.message.hasPrefix(message), "\(error.message)")
    }

    @Test("the other events: amounts, currencies, identifiers and reasons")
    func otherEvents() throws {
        func reason(_ type: String, _ data: JSONValue, as payload: (some OrderScoped & Decodable).Type)
            throws -> String
        {
            let event = CloudEvent(source: "s", type: type, data: data)
            return try #require(throws: CloudEventError.self) { try event.payload(payload) }.message
        }
        #expect(try reason(EventTypes.paymentCompleted,
                           ["orderId": "o-1", "paymentId": "p", "amount": -1, "currency": "USD"],
                           as: PaymentCompleted.self).hasPrefix("data.amount: must not be negative, found -1"))
        #expect(try reason(EventTypes.orderConfirmed,
                           ["orderId": "o-1", "customerId": "c-1", "amount": 1, "currency": "usd"],
                           as: OrderConfirmed.self).hasPrefix("data.currency: must be three capital letters"))
        #expect(try reason(EventTypes.paymentCompleted,
                           ["orderId": "o-1", "paymentId": "", "amount": 1, "currency": "USD"],
                           as: PaymentCompleted.self).hasPrefix("data.paymentId: must be 1 to 200 characters"))
        #expect(try reason(EventTypes.orderCancelled, ["orderId": "o-1", "customerId": "c-1", "reason": "bored"],
                           as: OrderCancelled.self).hasPrefix("data.reason: must be one of"))
        #expect(try reason(EventTypes.stockRejected, ["orderId": "o-1", "reason": "out_of_stock", "sku": "a b"],
                           as: StockRejected.self).hasPrefix("data.sku: must be 1 to 64"))
        #expect(try reason(EventTypes.stockReserved, [
            "orderId": "o-1", "customerId": "c-1", "amount": 1, "currency": "USD",
            "items": [["sku": "MUG-1", "quantity": 1, "unitPrice": -5]],
        ], as: StockReserved.self).hasPrefix("data.items[0].unitPrice: must not be negative, found -5"))
        #expect(try reason(EventTypes.notificationSent, [
            "orderId": "o-1", "customerId": "c-1", "channel": "email", "template": "order-lost", "message": "m",
        ], as: NotificationSent.self).hasPrefix("data.template: must be one of order-cancelled, order-confirmed"))
    }

    @Test("what keeps the rules reads, at the rules' bounds")
    func boundsRead() throws {
        let longest = String(repeating: "é", count: 200)
        let order = CloudEvent(source: "s", type: EventTypes.orderCreated, data: [
            "orderId": .string(longest), "customerId": "c", "payment": ["card": "123456789012"],
            "items": [["sku": .string("A._-" + String(repeating: "z", count: 60)), "quantity": 1_000_000]],
        ])
        let read = try order.payload(OrderCreated.self)
        #expect(read.orderId == longest)
        #expect(read.items[0].quantity == 1_000_000)
        #expect(PayloadRules.isWellFormedCard("1234567890123456789"))
        #expect(!PayloadRules.isWellFormedSKU("MUG-1é"))
    }
}
