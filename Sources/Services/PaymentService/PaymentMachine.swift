import SagaEvents

/// The payment service's decisions, without I/O.
///
/// | record          | order.created        | stock.reserved       | order.cancelled |
/// |-----------------|----------------------|----------------------|-----------------|
/// | none            | store card           | store amount         | void            |
/// | awaiting amount | nothing (duplicate)  | charge               | void            |
/// | awaiting card   | charge               | nothing (duplicate)  | void            |
/// | charging        | nothing              | nothing              | nothing         |
/// | final           | nothing              | nothing              | nothing         |
///
/// "Charge" records the intent (`charging`, `intent(_:)`) and nothing else: the provider is asked
/// afterwards, for a record that is `charging` (`pendingCharge(_:)`), with the intent's idempotency key,
/// and its verdict turned into the final record and event by `settle(_:result:)`. Because the final
/// record is committed only where the record is still `charging`, an order yields one
/// `payment.completed` or `payment.failed`, however often it is delivered; because every request for
/// the order carries the same key, the provider charges it at most once, however often it is asked.
/// A cancellation that comes while the provider is asked does not stop the charge: it was asked for.
/// A card that came as a vault token stays a token in every record; only the charge reads the number.
public struct PaymentMachine: Sendable {
    /// What to do.
    public enum Action: Sendable, Equatable {
        /// Keep the record and wait for the other half.
        case store(PaymentRecord)
        /// Record the intent to charge the order, then charge it.
        case charge(Charge)
        /// Nothing changes.
        case nothing
    }

    /// A charge to ask of the provider.
    public struct Charge: Sendable, Equatable {
        public var orderID: String
        /// The card number; empty while the card waits in the vault under `cardToken`.
        public var card: String
        /// The card's `CardVault` token, when the order came with one.
        public var cardToken: String?
        /// The card's last four digits.
        public var cardLast4: String
        public var amount: Int
        public var currency: String

        /// Creates a charge; `cardLast4` defaults to the end of `card`.
        public init(orderID: String, card: String, cardToken: String? = nil, cardLast4: String? = nil, amount: Int,
                    currency: String) {
            self.orderID = orderID
            self.card = card
            self.cardToken = cardToken
            self.cardLast4 = cardLast4 ?? String(card.suffix(4))
            self.amount = amount
            self.currency = currency
        }

        /// The provider's idempotency key: the order id, so every request for the order carries it.
        public var idempotencyKey: String { orderID }
    }

    public init() {}

    /// `order.created`: the card.
    public func orderCreated(_ order: OrderCreated, record: PaymentRecord?) -> Action {
        switch record?.status {
        case nil:
            .store(PaymentRecord(status: .awaitingAmount, card: order.payment.card, cardToken: order.payment.token,
                                 cardLast4: order.payment.last4))
        case .awaitingCard:
            .charge(Charge(orderID: order.orderId, card: order.payment.card ?? "", cardToken: order.payment.token,
                           cardLast4: order.payment.cardLast4, amount: record?.amount ?? 0,
                           currency: record?.currency ?? "USD"))
        case .awaitingAmount, .charging, .completed, .failed, .voided:
            .nothing
        }
    }

    /// `stock.reserved`: the amount.
    public func stockReserved(_ reserved: StockReserved, record: PaymentRecord?) -> Action {
        switch record?.status {
        case nil:
            .store(PaymentRecord(status: .awaitingCard, amount: reserved.amount, currency: reserved.currency))
        case .awaitingAmount:
            .charge(Charge(orderID: reserved.orderId, card: record?.card ?? "", cardToken: record?.cardToken,
                           cardLast4: record?.cardLast4, amount: reserved.amount, currency: reserved.currency))
        case .awaitingCard, .charging, .completed, .failed, .voided:
            .nothing
        }
    }

    /// `order.cancelled`: an order not yet charged never will be.
    public func orderCancelled(record: PaymentRecord?) -> Action {
        switch record?.status {
        case nil, .awaitingAmount, .awaitingCard: .store(PaymentRecord(status: .voided))
        case .charging, .completed, .failed, .voided: .nothing
        }
    }

    /// The record that says `charge` is to be made, before the provider is asked.
    public func intent(_ charge: Charge) -> PaymentRecord {
        PaymentRecord(status: .charging, card: charge.cardToken == nil ? charge.card : nil, cardToken: charge.cardToken,
                      cardLast4: charge.cardToken == nil ? nil : charge.cardLast4, amount: charge.amount,
                      currency: charge.currency, idempotencyKey: charge.idempotencyKey)
    }

    /// The charge a record asks of the provider: the one it intends while `charging`, else none.
    public func pendingCharge(_ record: PaymentRecord, orderID: String) -> Charge? {
        guard record.status == .charging else { return nil }
        return Charge(orderID: record.idempotencyKey ?? orderID, card: record.card ?? "", cardToken: record.cardToken,
                      cardLast4: record.cardLast4, amount: record.amount ?? 0, currency: record.currency ?? "USD")
    }

    /// The final record and event once the provider answered (or failed to).
    public func settle(_ charge: Charge, result: Result<ChargeResult, PaymentProviderError>)
        -> (record: PaymentRecord, type: String, payload: any Encodable & Sendable)
    {
        let last4 = charge.cardLast4
        switch result {
        case .success(.approved(let paymentID)):
            let record = PaymentRecord(status: .completed, cardLast4: last4, amount: charge.amount,
                                       currency: charge.currency, paymentId: paymentID,
                                       idempotencyKey: charge.idempotencyKey)
            let payload = PaymentCompleted(orderId: charge.orderID, paymentId: paymentID, amount: charge.amount,
                                           currency: charge.currency)
            return (record, EventTypes.paymentCompleted, payload)
        case .success(.declined(let reason)):
            return failed(charge, reason: reason, last4: last4)
        case .failure:
            return failed(charge, reason: .providerUnavailable, last4: last4)
        }
    }

    private func failed(_ charge: Charge, reason: PaymentFailure, last4: String)
        -> (record: PaymentRecord, type: String, payload: any Encodable & Sendable)
    {
        let record = PaymentRecord(status: .failed, cardLast4: last4, amount: charge.amount,
                                   currency: charge.currency, reason: reason, idempotencyKey: charge.idempotencyKey)
        return (record, EventTypes.paymentFailed, PaymentFailed(orderId: charge.orderID, reason: reason))
    }
}
