import EventBus
import JSONBytes
import OrderService
import SagaEvents

/// What the ingress reads and writes in the broker for its orders; what the running system says about
/// itself it reads through a `SystemReader`.
public protocol IngressStore: Sendable {
    /// Publishes `event` (an `order.created`), records the order as accepted and keeps its card in the
    /// `CardVault`, atomically; with an idempotency claim, only if the key was not used before.
    func accept(_ event: CloudEvent, order: AcceptedOrder, card: VaultedCard, idempotency: IdempotencyClaim?)
        async throws(EventBusError) -> AcceptResult

    /// The order service's record of an order, or the ingress's own record of an order it accepted
    /// that the order service has not seen yet (`pending`); `nil` when neither exists.
    func order(_ id: String) async throws(EventBusError) -> OrderRecord?

    /// A SKU's `available` and `reserved` units; `nil` when the stock service never seeded it.
    func stock(_ sku: String) async throws(EventBusError) -> (available: Int, reserved: Int)?

    /// The services' backlog, sampled by the ingress to shed load (`OverloadLimits.maximumBacklog`): stream
    /// entries their consumer groups have not read or not acknowledged; `nil` where there is none to read.
    func backlog() async throws(EventBusError) -> Int?
}

extension IngressStore {
    /// No backlog to read.
    public func backlog() async throws(EventBusError) -> Int? { nil }
}

/// A card number kept in the `CardVault` under `token` until its order's charge settles; `order.created`
/// carries only the token and the last four digits.
public struct VaultedCard: Sendable, Equatable {
    public var token: String
    public var number: String

    /// A card under a new token (`CardVault.newToken()`).
    public init(number: String, token: String = CardVault.newToken()) {
        self.token = token
        self.number = number
    }

    /// What `order.created` carries instead of the number.
    public var payment: PaymentDetails {
        PaymentDetails(token: token, last4: String(number.suffix(4)))
    }
}

/// An order as the ingress accepted it, before any service saw it; stored as JSON with sorted members.
public struct AcceptedOrder: Codable, JSONWritable, Sendable, Equatable {
    public var orderId: String
    public var customerId: String
    public var items: [OrderItem]
    public var acceptedAt: String

    public init(orderId: String, customerId: String, items: [OrderItem], acceptedAt: String) {
        self.orderId = orderId
        self.customerId = customerId
        self.items = items
        self.acceptedAt = acceptedAt
    }

    public func write(json writer: inout JSONWriter) {
        writer.beginObject()
        writer.member("acceptedAt", acceptedAt)
        writer.member("customerId", customerId)
        writer.member("items", items)
        writer.member("orderId", orderId)
        writer.endObject()
    }
}

/// A use of an `Idempotency-Key`: the key and what the request was (its canonical body).
public struct IdempotencyClaim: Sendable, Equatable {
    public var key: String
    public var fingerprint: String

    public init(key: String, fingerprint: String) {
        self.key = key
        self.fingerprint = fingerprint
    }
}

/// What `accept` did.
public enum AcceptResult: Sendable, Equatable {
    /// Published to this many subscribers (`nil` where the transport cannot tell) and recorded.
    case accepted(receivers: Int?)
    /// Nobody listens on `order.created`: nothing was published or recorded.
    case noSubscriber
    /// The idempotency key was used before, for this order and request fingerprint; nothing was published.
    case repeated(orderID: String, fingerprint: String)
}
