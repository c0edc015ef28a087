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
///
/// An order placed through the ingress names its card by a vault token (`CardVault`): the charge reads the
/// card number with one `GET` just before asking the provider, and the commit that settles the charge
/// (approved or not) or voids the payment deletes the vault entry in the same atomic step, as does the
/// commit of an `order.created` that comes after its order was cancelled. An entry that is
/// gone (expired) fails the payment as `invalid_card`, after voiding the key at the provider.
public struct PaymentService: EventService {
    public let name = "payment"
    /// The event types it handles, without an instance: the ACLs (`AccessPolicy`) and tests read them.
    public static let subscriptions = [EventTypes.orderCreated, EventTypes.stockReserved, EventTypes.orderCancelled]
    public var subscriptions: [String] { Self.subscriptions }
    private let machine = PaymentMachine()
    private let provider: any PaymentProvider
    private let vault: any CardVaultReader
    private let logger: Logger

    /// Creates the service.
    /// - Parameters:
    ///   - provider: the card provider to charge.
    ///   - vault: where the card numbers of vault tokens are read.
    ///   - logger: where a charge the provider did not answer is logged, with why.
    public init(provider: any PaymentProvider, vault: any CardVaultReader, logger: Logger = .disabled) {
        self.provider = provider
        self.vault = vault
        self.logger = logger
    }

    public func recordKey(for event: CloudEvent) throws(CloudEventError) -> String {
        PaymentKeys.payment(try event.orderID())
    }

    public func decide(_ event: CloudEvent, record: VersionedRecord<PaymentRecord>?) async throws -> Commit? {
        let current = record?.value
        let orderID = try event.orderID()
        let key = PaymentKeys.payment(orderID)
        var vaulted: String?
        let action: PaymentMachine.Action
        switch event.type {
        case EventTypes.orderCreated:
            let created = try event.payload(OrderCreated.self)
            vaulted = created.payment.token
            action = machine.orderCreated(created, record: current)
        case EventTypes.stockReserved:
            action = machine.stockReserved(try event.payload(StockReserved.self), record: current)
        case EventTypes.orderCancelled: action = machine.orderCancelled(record: current)
        default: action = .nothing
        }
        switch action {
        case .nothing:
            // An order cancelled before its card came will never be charged: its vault entry goes now.
            guard let current, current.status == .voided, let vaulted else { return nil }
            return Commit(key: key, expected: record?.stored, outcome: Commit.Outcome(
                record: current.fields, changes: [.delete(key: CardVault.key(for: vaulted, orderID: orderID))],
                final: true))
        case .store(let next):
            // A payment voided before its charge no longer needs its card.
            let changes = current?.cardToken.map {
                [Commit.Change.delete(key: CardVault.key(for: $0, orderID: orderID))]
            } ?? []
            return Commit(key: key, expected: record?.stored,
                          outcome: Commit.Outcome(record: next.fields, changes: next.cardToken == nil ? changes : [],
                                                  final: next.status.isFinal))
        case .charge(let charge):
            return Commit(key: key, expected: record?.stored,
                          outcome: Commit.Outcome(record: machine.intent(charge).fields))
        }
    }

    /// A `charging` record's charge: asks the provider with the intent's idempotency key and commits its
    /// answer as the final record and event. A charge that failed without an answer may still have been
    /// made (the answer lost on its way back), so before the payment fails the key is voided at the
    /// provider (a charge made is refunded, none is made later), retried until the provider takes it.
    public func followUp(after record: VersionedRecord<PaymentRecord>?, for event: CloudEvent) throws -> FollowUp? {
        let orderID = try event.orderID()
        guard let current = record?.value, let charge = machine.pendingCharge(current, orderID: orderID)
        else { return nil }
        let (provider, vault, machine, key, source, logger) =
            (provider, vault, machine, try recordKey(for: event), source, logger)
        return FollowUp(name: "charge") {
            let result = await Self.ask(provider, for: charge, vault: vault, orderID: orderID, logger: logger)
            let settled = machine.settle(charge, result: result)
            let emitted = event.caused(type: settled.type, source: source, payload: settled.payload)
            let used = charge.cardToken.map {
                [Commit.Change.delete(key: CardVault.key(for: $0, orderID: orderID))]
            } ?? []
            return Commit(key: key, expected: record?.stored,
                          outcome: Commit.Outcome(record: settled.record.fields, changes: used, events: [emitted],
                                                  final: settled.record.status.isFinal))
        }
    }

    /// Asks the provider for `charge`, with the card number read from the vault when the charge has a token.
    /// A charge that cannot be asked for (the vault entry expired, the vault refuses) or that got no answer is
    /// voided at the provider first, as an earlier attempt may have charged.
    private static func ask(
        _ provider: any PaymentProvider, for charge: PaymentMachine.Charge, vault: any CardVaultReader,
        orderID: String, logger: Logger
    ) async -> Result<ChargeResult, PaymentProviderError> {
        var card = charge.card
        if let token = charge.cardToken {
            let read: Result<String?, EventBusError>
            do throws(EventBusError) {
                read = .success(try await Self.card(of: token, orderID: orderID, in: vault))
            } catch {
                read = .failure(error)
            }
            switch read {
            case .success(let number?):
                card = number
            case .success(nil):
                logger.warning("the card's vault entry has expired: voiding the charge, the payment fails", metadata: [
                    "order.id": orderID, "vault.retentionSeconds": "\(CardVault.retentionSeconds)",
                ])
                await void(charge.idempotencyKey, at: provider)
                return .success(.declined(.invalidCard))
            case .failure(let error):
                logger.error("the card vault cannot be read: voiding the charge, the payment fails", metadata: [
                    "order.id": orderID, "error": error.message,
                ])
                await void(charge.idempotencyKey, at: provider)
                return .failure(PaymentProviderError("the card vault cannot be read: \(error.message)"))
            }
        }
        do throws(PaymentProviderError) {
            return .success(try await provider.charge(
                card: card, amount: charge.amount, currency: charge.currency, idempotencyKey: charge.idempotencyKey
            ))
        } catch {
            logger.warning("the provider did not answer the charge: voiding it, the payment fails", metadata: [
                "order.id": orderID, "error": error.message,
            ])
            await void(charge.idempotencyKey, at: provider)
            return .failure(error)
        }
    }

    /// The card number of `token`, asking the vault again with backoff while it is unavailable; `nil` when
    /// the entry is gone.
    /// - Throws: `EventBusError` when the vault refuses (e.g. the user may not read it), or is unavailable
    ///   when the task is cancelled.
    private static func card(
        of token: String, orderID: String, in vault: any CardVaultReader
    ) async throws(EventBusError) -> String? {
        var backoff = Backoff(initial: .milliseconds(50), maximum: .seconds(2))
        while true {
            do throws(EventBusError) {
                return try await vault.card(forToken: token, orderID: orderID)
            } catch where error.code == .unavailable && !Task.isCancelled {
                try? await Task.sleep(for: backoff.next())
            }
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
}
