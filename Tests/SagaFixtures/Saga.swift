import EventBus
import SagaEvents

/// The saga's payloads and events for order `o-1` of customer `c-1`, as the services send them: the
/// fixtures every service's tests share.
public enum Saga {
    /// The test card the simulated provider charges.
    public static let goodCard = "4242424242424242"

    /// An event as its emitter would publish it: correlated by the order id.
    public static func event(_ type: String, _ payload: some Encodable, source: String, order: String = "o-1")
        throws -> CloudEvent
    {
        CloudEvent(source: source, type: type, correlationID: order, data: try JSONValue(encoding: payload))
    }

    // MARK: Payloads

    /// An order paid with `card`; by default two books on one line.
    public static func orderCreated(
        order: String = "o-1", customer: String = "c-1", items: [OrderItem] = [OrderItem(sku: "BOOK-1", quantity: 2)],
        card: String = goodCard
    ) -> OrderCreated {
        OrderCreated(orderId: order, customerId: customer, items: items, payment: PaymentDetails(card: card))
    }

    /// Two books at 1250 reserved.
    public static func stockReserved(
        order: String = "o-1", customer: String = "c-1", amount: Int = 2500, currency: String = "USD"
    ) -> StockReserved {
        StockReserved(orderId: order, customerId: customer,
                      items: [PricedItem(sku: "BOOK-1", quantity: 2, unitPrice: 1250)],
                      amount: amount, currency: currency)
    }

    // MARK: Events

    /// `order.created` from the ingress; by default the same book on two lines, which stock merges.
    public static func created(
        order: String = "o-1", customer: String = "c-1",
        items: [OrderItem] = [OrderItem(sku: "BOOK-1", quantity: 1), OrderItem(sku: "BOOK-1", quantity: 1)]
    ) throws -> CloudEvent {
        try event(EventTypes.orderCreated, orderCreated(order: order, customer: customer, items: items),
                  source: "switchboard/ingress", order: order)
    }

    /// `stock.reserved` from stock.
    public static func reserved(order: String = "o-1", customer: String = "c-1", amount: Int = 2500)
        throws -> CloudEvent
    {
        try event(EventTypes.stockReserved, stockReserved(order: order, customer: customer, amount: amount),
                  source: "switchboard/stock", order: order)
    }

    /// `stock.rejected` from stock.
    public static func rejected(order: String = "o-1", reason: StockRejection = .outOfStock) throws -> CloudEvent {
        try event(EventTypes.stockRejected, StockRejected(orderId: order, reason: reason, sku: "BOOK-1"),
                  source: "switchboard/stock", order: order)
    }

    /// `payment.completed` from payment.
    public static func completed(order: String = "o-1", amount: Int = 2500) throws -> CloudEvent {
        try event(EventTypes.paymentCompleted,
                  PaymentCompleted(orderId: order, paymentId: "pay_1", amount: amount, currency: "USD"),
                  source: "switchboard/payment", order: order)
    }

    /// `payment.failed` from payment.
    public static func failed(order: String = "o-1", reason: PaymentFailure = .cardDeclined) throws -> CloudEvent {
        try event(EventTypes.paymentFailed, PaymentFailed(orderId: order, reason: reason),
                  source: "switchboard/payment", order: order)
    }

    /// `order.confirmed` from order.
    public static func confirmed(
        order: String = "o-1", customer: String = "c-1", amount: Int = 1250, currency: String = "USD"
    ) throws -> CloudEvent {
        try event(EventTypes.orderConfirmed,
                  OrderConfirmed(orderId: order, customerId: customer, amount: amount, currency: currency),
                  source: "switchboard/order", order: order)
    }

    /// `order.cancelled` from order.
    public static func cancelled(order: String = "o-1", customer: String = "c-1", reason: String = "out_of_stock")
        throws -> CloudEvent
    {
        try event(EventTypes.orderCancelled, OrderCancelled(orderId: order, customerId: customer, reason: reason),
                  source: "switchboard/order", order: order)
    }
}
