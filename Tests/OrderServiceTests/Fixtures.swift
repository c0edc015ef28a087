import EventBus
import SagaEvents

/// The events the order service hears about order `o-1` of customer `c-1`, as the other services send them.
enum Saga {
    static func event(_ type: String, _ payload: some Encodable, source: String, order: String = "o-1")
        throws -> CloudEvent
    {
        CloudEvent(source: source, type: type, correlationID: order, data: try JSONValue(encoding: payload))
    }

    static func created(order: String = "o-1", customer: String = "c-1") throws -> CloudEvent {
        try event(EventTypes.orderCreated, OrderCreated(
            orderId: order, customerId: customer,
            items: [OrderItem(sku: "BOOK-1", quantity: 1), OrderItem(sku: "BOOK-1", quantity: 1)],
            payment: PaymentDetails(card: "4242424242424242")
        ), source: "switchboard/ingress", order: order)
    }

    static func reserved(order: String = "o-1", customer: String = "c-1", amount: Int = 2500) throws -> CloudEvent {
        try event(EventTypes.stockReserved, StockReserved(
            orderId: order, customerId: customer, items: [PricedItem(sku: "BOOK-1", quantity: 2, unitPrice: 1250)],
            amount: amount, currency: "USD"
        ), source: "switchboard/stock", order: order)
    }

    static func rejected(order: String = "o-1", reason: StockRejection = .outOfStock) throws -> CloudEvent {
        try event(EventTypes.stockRejected, StockRejected(orderId: order, reason: reason, sku: "BOOK-1"),
                  source: "switchboard/stock", order: order)
    }

    static func completed(order: String = "o-1", amount: Int = 2500) throws -> CloudEvent {
        try event(EventTypes.paymentCompleted,
                  PaymentCompleted(orderId: order, paymentId: "pay_1", amount: amount, currency: "USD"),
                  source: "switchboard/payment", order: order)
    }

    static func failed(order: String = "o-1", reason: PaymentFailure = .cardDeclined) throws -> CloudEvent {
        try event(EventTypes.paymentFailed, PaymentFailed(orderId: order, reason: reason),
                  source: "switchboard/payment", order: order)
    }
}
