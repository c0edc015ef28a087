import EventBus
import Ingress
import OrderService
import SagaEvents
import Synchronization
import Telemetry

/// The ingress's broker in memory, for driving the ingress without Redis: it accepts every order (and
/// repeats for a known `Idempotency-Key`), remembers what was accepted, and knows no orders or instances.
final class MemoryIngressStore: IngressStore {
    private struct State {
        var accepted: [(event: CloudEvent, order: AcceptedOrder, card: VaultedCard)] = []
        var claims: [String: (orderID: String, fingerprint: String)] = [:]
    }

    private let state = Mutex(State())

    /// Every order accepted so far, with its event.
    var accepted: [(event: CloudEvent, order: AcceptedOrder, card: VaultedCard)] { state.withLock { $0.accepted } }

    func accept(_ event: CloudEvent, order: AcceptedOrder, card: VaultedCard, idempotency: IdempotencyClaim?)
        async throws(EventBusError) -> AcceptResult
    {
        state.withLock { state in
            if let idempotency, let claim = state.claims[idempotency.key] {
                return .repeated(orderID: claim.orderID, fingerprint: claim.fingerprint)
            }
            if let idempotency { state.claims[idempotency.key] = (order.orderId, idempotency.fingerprint) }
            state.accepted.append((event, order, card))
            return .accepted(receivers: 1)
        }
    }

    func order(_ id: String) async throws(EventBusError) -> OrderRecord? { nil }
    func history(_ id: String) async throws(EventBusError) -> [OrderHistory.Entry] { [] }
    func stock(_ sku: String) async throws(EventBusError) -> (available: Int, reserved: Int)? { (10, 0) }
    func instances() async throws(EventBusError) -> [InstanceHeartbeat] { [] }
    func metricsSnapshots() async throws(EventBusError) -> [(instance: String, snapshot: MetricsSnapshot)] { [] }
    func trace(_ correlationID: String) async throws(EventBusError) -> [CloudEvent] { [] }
    func follow(_ correlationID: String) -> AsyncStream<CloudEvent> { AsyncStream { $0.finish() } }
    func ping() async throws(EventBusError) -> Duration { .zero }
}
