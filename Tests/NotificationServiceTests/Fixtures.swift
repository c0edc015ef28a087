import EventBus
import SagaEvents

enum Saga {
    static func confirmed(order: String = "o-1", customer: String = "c-1", amount: Int = 1250,
                          currency: String = "USD") throws -> CloudEvent
    {
        let payload = OrderConfirmed(orderId: order, customerId: customer, amount: amount, currency: currency)
        return CloudEvent(source: "switchboard/order", type: EventTypes.orderConfirmed, correlationID: order,
                          data: try JSONValue(encoding: payload))
    }

    static func cancelled(order: String = "o-1", customer: String = "c-1", reason: String = "out_of_stock")
        throws -> CloudEvent
    {
        let payload = OrderCancelled(orderId: order, customerId: customer, reason: reason)
        return CloudEvent(source: "switchboard/order", type: EventTypes.orderCancelled, correlationID: order,
                          data: try JSONValue(encoding: payload))
    }
}
