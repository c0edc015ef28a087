import EventBus
import Resilience
import SagaEvents
import Telemetry

/// The payment service on the bus: charges an order once both its card (`order.created`) and its
/// amount (`stock.reserved`) are known, and emits `payment.completed` or `payment.failed`.
///
/// Key (`PaymentKeys`): one `payment:<orderId>` record per order.
///
/// The charge is a step of its own, outside `decide`: `decide` only commits the intent (`charging`, with
/// the order id as idempotency key); the record's `FollowUp` then asks the provider with that key and
/// returns the commit of its answer, guarded by the intent's version and acknowledging the message. A
/// conflict, a retry, a crash between the provider's answer and the commit, or a redelivery finds the
/// intent and asks again with the same key, and the provider answers a key it has seen with its first
/// answer: an order is never charged twice.
public struct PaymentService: EventService {
    public let name = "payment"
    /// The event types it handles, without an instance: the ACLs (`AccessPolicy`) and tests read them.
    public static let subscriptions = [EventTypes.orderCreated, EventTypes.stockReserved, EventTypes.orderCancelled]
    public var subscriptions: [String] { Self.subscriptions }
    private let machine = PaymentMachine()
    private let provider: any PaymentProvider
    private let logger: Logger

    /// Creates the service.
    /// - Parameters:
    ///   - provider: the card provider to charge.
    ///   - logger: where a charge the provider did not answer is logged, with why.
    public init(provider: any PaymentProvider, logger: Logger = .disabled) {
        self.provider = provider
        self.logger = logger
    }

    public func recordKey(for event: CloudEvent) throws(CloudEventError) -> String {
        PaymentKeys.payment(try event.orderID())
    }

    public func decide(_ event: CloudEvent, record: StoredRecord?) async throws(CloudEventError) -> Commit? {
        let current = try Self.read(record)
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
            return Commit(key: key, expected: record, outcome: Commit.Outcome(record: machine.intent(charge).fields))
        }
    }

    /// A `charging` record's charge: asks the provider with the intent's idempotency key and commits its
    /// answer as the final record and event. A charge that failed without an answer may still have been
    /// made (the answer lost on its way back), so before the payment fails the key is voided at the
    /// provider (a charge made is refunded, none is made later), retried until the provider takes it.
    public func followUp(after record: StoredRecord, for event: CloudEvent) throws(CloudEventError) -> FollowUp? {
        let orderID = try event.orderID()
        guard let current = try Self.read(record), let charge = machine.pendingCharge(current, orderID: orderID) else {
            return nil
        }
        let (provider, machine, key, source, logger) = (provider, machine, try recordKey(for: event), source, logger)
        return FollowUp(name: "charge") {
            let result: Result<ChargeResult, PaymentProviderError>
            do throws(PaymentProviderError) {
                result = .success(try await provider.charge(
                    card: charge.card, amount: charge.amount, currency: charge.currency,
                    idempotencyKey: charge.idempotencyKey
                ))
            } catch {
                logger.warning("the provider did not answer the charge: voiding it, the payment fails", metadata: [
                    "order.id": orderID, "error": error.message,
                ])
                result = .failure(error)
                await Self.void(charge.idempotencyKey, at: provider)
            }
            let settled = machine.settle(charge, result: result)
            let emitted = event.caused(type: settled.type, source: source, payload: settled.payload)
            return Commit(key: key, expected: record,
                          outcome: Commit.Outcome(record: settled.record.fields, events: [emitted]))
        }
    }

    /// Voids `key` at the provider, retrying with backoff until it is taken or the task is cancelled.
    private static func void(_ key: String, at provider: any PaymentProvider) async {
        var backoff = Backoff(initial: .milliseconds(50), maximum: .seconds(2))
        while !Task.isCancelled {
            do throws(PaymentProviderError) {
                try await provider.void(idempotencyKey: key)
                return
            } catch {
                try? await Task.sleep(for: backoff.next())
            }
        }
    }

    private static func read(_ record: StoredRecord?) throws(CloudEventError) -> PaymentRecord? {
        do {
            return try PaymentRecord(stored: record)
        } catch {
            throw CloudEventError(.invalidField, "the stored payment record cannot be read: \(error)")
        }
    }
}
