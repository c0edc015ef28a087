import EventBus
import SagaEvents

/// The order's state machine, without I/O: folds each saga event into the record and says which
/// final event to send.
///
/// Facts accumulate whatever order they arrive in: `order.created` and `stock.reserved` bring the
/// customer and items, `stock.reserved` and `payment.completed` the amount, `stock.rejected` and
/// `payment.failed` a cancellation reason, `payment.completed` the payment. The status follows from the
/// facts (a cancellation reason → `cancelled`, a payment → `confirmed`, a reservation → `reserved`,
/// else `pending`), and the first final status wins. `order.confirmed` or `order.cancelled` is sent
/// once the status is final and the customer is known, so a `payment.completed` processed before the
/// order was seen waits for it rather than announcing an order without a customer. Each event type
/// counts once per order: a second `order.created` for the same order changes nothing.
public struct OrderMachine: Sendable {
    /// The result of one event.
    public struct Transition: Sendable, Equatable {
        /// The record after the event.
        public var record: OrderRecord
        /// The final event to send, if this event made the order final.
        public var emitted: CloudEvent?
    }

    /// The `source` of the events the order service sends.
    public let source: String

    public init(source: String) {
        self.source = source
    }

    /// Applies `event` to the order's record; `nil` when it changes nothing (a duplicate or a type the
    /// order does not track).
    /// - Throws: `CloudEventError` when the event's data is not what its type requires.
    public func apply(_ event: CloudEvent, to current: OrderRecord?) throws(CloudEventError) -> Transition? {
        var record: OrderRecord
        if let current {
            record = current
        } else {
            record = OrderRecord(orderId: try event.orderID())
        }
        guard !record.hasSeen(event.type) else { return nil }
        switch event.type {
        case EventTypes.orderCreated:
            let order = try event.payload(OrderCreated.self)
            record.customerId = record.customerId ?? order.customerId
            if record.items.isEmpty { record.items = order.items }
        case EventTypes.stockReserved:
            let reserved = try event.payload(StockReserved.self)
            record.customerId = record.customerId ?? reserved.customerId
            record.items = reserved.items.map { OrderItem(sku: $0.sku, quantity: $0.quantity) }
            record.amount = record.amount ?? reserved.amount
            record.currency = record.currency ?? reserved.currency
        case EventTypes.stockRejected:
            let rejection = try event.payload(StockRejected.self)
            record.reason = record.reason ?? rejection.reason.rawValue
        case EventTypes.paymentCompleted:
            let payment = try event.payload(PaymentCompleted.self)
            record.paymentId = payment.paymentId
            record.amount = payment.amount
            record.currency = payment.currency
        case EventTypes.paymentFailed:
            let failure = try event.payload(PaymentFailed.self)
            record.reason = record.reason ?? failure.reason.rawValue
        default:
            return nil
        }
        record.seen.append(event.type)
        if !record.status.isFinal {
            record.status = Self.status(of: record)
        }
        let emitted = announcement(for: record, caused: event)
        if let emitted {
            record.seen.append(emitted.type)
        }
        return Transition(record: record, emitted: emitted)
    }

    private static func status(of record: OrderRecord) -> OrderStatus {
        if record.reason != nil { return .cancelled }
        if record.hasSeen(EventTypes.paymentCompleted) { return .confirmed }
        if record.hasSeen(EventTypes.stockReserved) { return .reserved }
        return .pending
    }

    /// `order.confirmed` or `order.cancelled`, once per order, when the status is final and the customer
    /// is known.
    private func announcement(for record: OrderRecord, caused event: CloudEvent) -> CloudEvent? {
        guard let customerID = record.customerId,
              !record.hasSeen(EventTypes.orderConfirmed), !record.hasSeen(EventTypes.orderCancelled)
        else { return nil }
        switch record.status {
        case .confirmed:
            let confirmed = OrderConfirmed(orderId: record.orderId, customerId: customerID,
                                           amount: record.amount ?? 0, currency: record.currency ?? "USD")
            return event.caused(type: EventTypes.orderConfirmed, source: source, payload: confirmed)
        case .cancelled:
            let cancelled = OrderCancelled(orderId: record.orderId, customerId: customerID,
                                           reason: record.reason ?? "unknown")
            return event.caused(type: EventTypes.orderCancelled, source: source, payload: cancelled)
        case .pending, .reserved:
            return nil
        }
    }
}
