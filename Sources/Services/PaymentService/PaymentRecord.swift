import EventBus
import SagaEvents

/// The payment service's record of one order.
///
/// The card comes with `order.created` and the amount with `stock.reserved`, in either order; the
/// record keeps whichever came first until the other arrives. Once both are known, the intent to charge
/// is recorded (`charging`, with the idempotency key the provider dedupes on) before the provider is
/// called, and the provider's answer is recorded after. An order placed through the ingress brings a vault
/// token (`cardToken`, with `cardLast4`) instead of the card number, which is read from the vault only to
/// charge. A card number that came on the bus (`card`) is dropped once the order is charged or given up;
/// only its last four digits are kept. Stored as one field per property that has
/// a value.
public struct PaymentRecord: Record {
    /// Where the payment stands.
    public enum Status: String, Sendable {
        /// The card is known; the amount is not yet.
        case awaitingAmount = "awaiting_amount"
        /// The amount is known; the card is not yet.
        case awaitingCard = "awaiting_card"
        /// Both are known and the provider is being asked, with `idempotencyKey`; its answer is not recorded yet.
        case charging
        /// Charged.
        case completed
        /// Not charged, for `reason`.
        case failed
        /// The order was cancelled before it could be charged.
        case voided

        /// Whether the payment is settled for good (completed, failed, voided): its record then expires.
        public var isFinal: Bool { self == .completed || self == .failed || self == .voided }
    }

    public var status: Status
    public var card: String?
    /// The `CardVault` token of the card, until the charge settles.
    public var cardToken: String?
    public var cardLast4: String?
    public var amount: Int?
    public var currency: String?
    public var paymentId: String?
    public var reason: PaymentFailure?
    /// The key every request to the provider for this order carries (`charging` on).
    public var idempotencyKey: String?

    public init(
        status: Status, card: String? = nil, cardToken: String? = nil, cardLast4: String? = nil, amount: Int? = nil,
        currency: String? = nil, paymentId: String? = nil, reason: PaymentFailure? = nil, idempotencyKey: String? = nil
    ) {
        self.status = status
        self.card = card
        self.cardToken = cardToken
        self.cardLast4 = cardLast4
        self.amount = amount
        self.currency = currency
        self.paymentId = paymentId
        self.reason = reason
        self.idempotencyKey = idempotencyKey
    }

    public init(fields: RecordFields) throws(RecordError) {
        status = try fields.required("status", as: Status.self)
        card = fields["card"]
        cardToken = fields["cardToken"]
        cardLast4 = fields["cardLast4"]
        amount = try fields.integer("amount")
        currency = fields["currency"]
        paymentId = fields["paymentId"]
        reason = try fields.optional("reason", as: PaymentFailure.self)
        idempotencyKey = fields["idempotencyKey"]
    }

    public var fields: [String: String] {
        var fields = ["status": status.rawValue]
        fields["card"] = card
        fields["cardToken"] = cardToken
        fields["cardLast4"] = cardLast4
        fields["amount"] = amount.map(String.init)
        fields["currency"] = currency
        fields["paymentId"] = paymentId
        fields["reason"] = reason?.rawValue
        fields["idempotencyKey"] = idempotencyKey
        return fields
    }
}
