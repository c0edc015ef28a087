import EventBus
import SagaEvents

/// The payment service on the bus: charges an order once both its card (`order.created`) and its
/// amount (`stock.reserved`) are known, and emits `payment.completed` or `payment.failed`.
///
/// Key (`PaymentKeys`): one `payment:<orderId>` record per order. The provider is called with the
/// order id as idempotency key; the final record is committed only while the record still awaits the
/// charge, so a redelivered or duplicated event never charges an order twice.
public struct PaymentService: EventService {
    public let name = "payment"
    public let subscriptions = [EventTypes.orderCreated, EventTypes.stockReserved, EventTypes.orderCancelled]
    private let machine = PaymentMachine()
    private let provider: any PaymentProvider

    /// Creates the service.
    /// - Parameter provider: the card provider to charge.
    public init(provider: any PaymentProvider) {
        self.provider = provider
    }

    public func recordKey(for event: CloudEvent) throws(CloudEventError) -> String {
        PaymentKeys.payment(try event.orderID())
    }

    public func decide(_ event: CloudEvent, record: StoredRecord?) async throws(CloudEventError) -> Commit? {
        let current: PaymentRecord?
        do {
            current = try PaymentRecord(stored: record)
        } catch {
            throw CloudEventError(.invalidField, "the stored payment record cannot be read: \(error)")
        }
        let key = try recordKey(for: event)
        let action: PaymentMachine.Action = switch event.type {
        case EventTypes.orderCreated: machine.orderCreated(try event.payload(OrderCreated.self), record: current)
        case EventTypes.stockReserved: machine.stockReserved(try event.payload(StockReserved.self), record: current)
        case EventTypes.orderCancelled: machine.orderCancelled(record: current)
        default: .nothing
        }
        switch action {
        case .nothing:
            return nil
        case .store(let next):
            return Commit(key: key, expected: record, outcome: Commit.Outcome(record: next.fields))
        case .charge(let charge):
            let result: Result<ChargeResult, PaymentProviderError>
            do {
                result = .success(try await provider.charge(
                    card: charge.card, amount: charge.amount, currency: charge.currency,
                    idempotencyKey: charge.orderID
                ))
            } catch {
                result = .failure(error)
            }
            let settled = machine.settle(charge, result: result)
            let emitted = event.caused(type: settled.type, source: source, payload: settled.payload)
            return Commit(key: key, expected: record,
                          outcome: Commit.Outcome(record: settled.record.fields, events: [emitted]))
        }
    }
}
