import EventBus
import SagaEvents

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

enum Saga {
    static let goodCard = "4242424242424242"

    static func created(order: String = "o-1", card: String = goodCard) -> OrderCreated {
        OrderCreated(orderId: order, customerId: "c-1", items: [OrderItem(sku: "BOOK-1", quantity: 2)],
                     payment: PaymentDetails(card: card))
    }

    static func reserved(order: String = "o-1", amount: Int = 2500, currency: String = "USD") -> StockReserved {
        StockReserved(orderId: order, customerId: "c-1",
                      items: [PricedItem(sku: "BOOK-1", quantity: 2, unitPrice: 1250)],
                      amount: amount, currency: currency)
    }
}
