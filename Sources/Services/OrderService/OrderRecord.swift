import EventBus
import SagaEvents

/// The order service's record of one order: its state, which with the order's trace log makes the read
/// model clients are shown (`OrderHistory`).
///
/// Stored as fields: `orderId`, `status`, `customerId`, `reason`, `items` (`ItemsField`), `amount`,
/// `currency`, `paymentId`, and `seen`, the event types processed so far, one per line.
public struct OrderRecord: Record {
    public var orderId: String
    public var customerId: String?
    public var status: OrderStatus
    /// Why the order was cancelled: a `StockRejection` or `PaymentFailure` raw value.
    public var reason: String?
    public var items: [OrderItem]
    /// The charged or chargeable amount in minor units, once known.
    public var amount: Int?
    public var currency: String?
    public var paymentId: String?
    /// The event types seen and sent, in the order they were processed; each type counts once.
    public var seen: [String]

    public init(orderId: String) {
        self.orderId = orderId
        self.status = .pending
        self.items = []
        self.seen = []
    }

    /// Whether an event of this type was processed or sent.
    public func hasSeen(_ type: String) -> Bool {
        seen.contains(type)
    }

    public init(fields: RecordFields) throws(RecordError) {
        orderId = try fields.required("orderId")
        status = try fields.required("status", as: OrderStatus.self)
        customerId = fields["customerId"]
        reason = fields["reason"]
        items = try fields.items("items")
        amount = try fields.integer("amount")
        currency = fields["currency"]
        paymentId = fields["paymentId"]
        seen = fields.names("seen")
    }

    public var fields: [String: String] {
        var fields = ["orderId": orderId, "status": status.rawValue, "seen": NamesField.text(seen)]
        fields["customerId"] = customerId
        fields["reason"] = reason
        if !items.isEmpty { fields["items"] = ItemsField.text(items) }
        fields["amount"] = amount.map(String.init)
        fields["currency"] = currency
        fields["paymentId"] = paymentId
        return fields
    }
}
