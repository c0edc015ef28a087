/// The saga's channels, named exactly as the contract's event types.
public enum EventTypes {
    public static let orderCreated = "order.created"
    public static let stockReserved = "stock.reserved"
    public static let stockRejected = "stock.rejected"
    public static let stockReleased = "stock.released"
    public static let paymentCompleted = "payment.completed"
    public static let paymentFailed = "payment.failed"
    public static let orderConfirmed = "order.confirmed"
    public static let orderCancelled = "order.cancelled"
    public static let notificationSent = "notification.sent"

    /// Every type of the saga, in the order of the flow.
    public static let all = [
        orderCreated, stockReserved, stockRejected, paymentCompleted, paymentFailed,
        orderConfirmed, orderCancelled, stockReleased, notificationSent,
    ]
}
