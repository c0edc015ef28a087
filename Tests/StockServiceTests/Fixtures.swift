import EventBus
import SagaEvents
import StockService

extension Catalog {
    /// The contract's default catalog: BOOK-1 (1250, plenty), MUG-1 (900, 50 in stock), PEN-1 (150, none).
    static let standard = Catalog(items: [
        Catalog.Item(sku: "BOOK-1", name: "Book", price: 1250, stock: 1_000_000),
        Catalog.Item(sku: "MUG-1", name: "Mug", price: 900, stock: 50),
        Catalog.Item(sku: "PEN-1", name: "Pen", price: 150, stock: 0),
    ])
}

extension OrderCreated {
    /// An order of `o-1` by `c-1`, paid with the succeeding test card.
    static func make(
        order: String = "o-1", customer: String = "c-1", items: [OrderItem], card: String = "4242424242424242"
    ) -> OrderCreated {
        OrderCreated(orderId: order, customerId: customer, items: items, payment: PaymentDetails(card: card))
    }
}

extension CloudEvent {
    /// A saga event as another service would publish it: correlated by the order id.
    static func saga(_ type: String, _ payload: some Encodable, order: String = "o-1") throws -> CloudEvent {
        CloudEvent(source: "switchboard/test", type: type, correlationID: order, data: try JSONValue(encoding: payload))
    }

    /// An event with hand-written data, e.g. malformed.
    static func raw(_ type: String, _ data: JSONValue) -> CloudEvent {
        CloudEvent(source: "switchboard/test", type: type, correlationID: "o-1", data: data)
    }
}
