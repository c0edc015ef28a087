import SagaEvents

/// The payment service's decisions, without I/O.
///
/// | record          | order.created        | stock.reserved       | order.cancelled |
/// |-----------------|----------------------|----------------------|-----------------|
/// | none            | store card           | store amount         | void            |
/// | awaiting amount | nothing (duplicate)  | charge               | void            |
/// | awaiting card   | charge               | nothing (duplicate)  | void            |
/// | final           | nothing              | nothing              | nothing         |
///
/// A charge is asked of the provider and its verdict turned into the final record and event by
/// `settle(_:result:)`. Because the final record is committed only where the record still awaits the
/// charge, an order yields one `payment.completed` or `payment.failed`, however often it is delivered.
public struct PaymentMachine: Sendable {
    /// What to do.
    public enum Action: Sendable, Equatable {
        /// Keep the record and wait for the other half.
        case store(PaymentRecord)
        /// Charge the order now.
        case charge(Charge)
        /// Nothing changes.
        case nothing
    }

    /// A charge to ask of the provider.
    public struct Charge: Sendable, Equatable {
        public var orderID: String
        public var card: String
        public var amount: Int
        public var currency: String
    }

    public init() {}

    /// `order.created`: the card.
    public func orderCreated(_ order: OrderCreated, record: PaymentRecord?) -> Action {
        switch record?.status {
        case nil:
            .store(PaymentRecord(status: .awaitingAmount, card: order.payment.card))
        case .awaitingCard:
            .charge(Charge(orderID: order.orderId, card: order.payment.card, amount: record?.amount ?? 0,
                           currency: record?.currency ?? "USD"))
        case .awaitingAmount, .completed, .failed, .voided:
            .nothing
        }
    }

    /// `stock.reserved`: the amount.
    public func stockReserved(_ reserved: StockReserved, record: PaymentRecord?) -> Action {
        switch record?.status {
        case nil:
            .store(PaymentRecord(status: .awaitingCard, amount: reserved.amount, currency: reserved.currency))
        case .awaitingAmount:
            .charge(Charge(orderID: reserved.orderId, card: record?.card ?? "", amount: reserved.amount,
                           currency: reserved.currency))
        case .awaitingCard, .completed, .failed, .voided:
            .nothing
        }
    }

    /// `order.cancelled`: an order not yet charged never will be.
    public func orderCancelled(record: PaymentRecord?) -> Action {
        switch record?.status {
        case nil, .awaitingAmount, .awaitingCard: .store(PaymentRecord(status: .voided))
        case .completed, .failed, .voided: .nothing
        }
    }

    /// The final record and event once the provider answered (or failed to).
    public func settle(_ charge: Charge, result: Result<ChargeResult, PaymentProviderError>)
        -> (record: PaymentRecord, type: String, payload: any Encodable & Sendable)
    {
        let last4 = String(charge.card.suffix(4))
        switch result {
        case .success(.approved(let paymentID)):
            let record = PaymentRecord(status: .completed, cardLast4: last4, amount: charge.amount,
                                       currency: charge.currency, paymentId: paymentID)
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
                                   currency: charge.currency, reason: reason)
        return (record, EventTypes.paymentFailed, PaymentFailed(orderId: charge.orderID, reason: reason))
    }
}
