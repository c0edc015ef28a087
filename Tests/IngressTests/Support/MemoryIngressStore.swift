import EventBus
import Ingress
import OrderService
import SagaEvents
import Synchronization
import SystemReads
import Telemetry

/// The ingress's broker in memory (a test double of `IngressStore` and `SystemReader`), for driving the ingress
/// without Redis: the in-process tests of `Tests/IngressTests` and the fuzz targets (`scripts/fuzz.sh` compiles
/// this file with `Tests/Fuzz/Support`).
///
/// It accepts every order (and repeats for a known `Idempotency-Key`) as `switchboard_accept` does, and
/// remembers what was accepted; an accepted order reads as `acceptedStatus`. `broker` makes it answer as
/// Redis does when nobody subscribes to `order.created` or Redis is down. It knows no instances, metrics
/// or trace logs, and every SKU has 10 units.
final class MemoryIngressStore: IngressStore, SystemReader {
    /// How the broker behaves.
    enum Broker: Sendable {
        /// Takes every order.
        case up
        /// Nobody subscribes to `order.created`: `accept` records nothing and says so.
        case noSubscriber
        /// Every call fails as an unreachable Redis does.
        case down
    }

    private struct State {
        var broker = Broker.up
        var acceptedStatus = OrderStatus.pending
        var accepted: [(event: CloudEvent, order: AcceptedOrder, card: VaultedCard)] = []
        var claims: [String: (orderID: String, fingerprint: String)] = [:]
    }

    private let state = Mutex(State())

    /// How the broker behaves from now on; `.up` at first.
    var broker: Broker {
        get { state.withLock { $0.broker } }
        set { state.withLock { $0.broker = newValue } }
    }

    /// The status accepted orders are read with, as if the order service had got that far: `pending` at first.
    var acceptedStatus: OrderStatus {
        get { state.withLock { $0.acceptedStatus } }
        set { state.withLock { $0.acceptedStatus = newValue } }
    }

    /// Every order accepted so far, with its event.
    var accepted: [(event: CloudEvent, order: AcceptedOrder, card: VaultedCard)] { state.withLock { $0.accepted } }

    func accept(_ event: CloudEvent, order: AcceptedOrder, card: VaultedCard, idempotency: IdempotencyClaim?)
        async throws(EventBusError) -> AcceptResult
    {
        try state.withLock { (state) throws(EventBusError) -> AcceptResult in
            if let idempotency, let claim = state.claims[idempotency.key] {
                return .repeated(orderID: claim.orderID, fingerprint: claim.fingerprint)
            }
            switch state.broker {
            case .down: throw Self.unreachable
            case .noSubscriber: return .noSubscriber
            case .up: break
            }
            if let idempotency { state.claims[idempotency.key] = (order.orderId, idempotency.fingerprint) }
            state.accepted.append((event, order, card))
            return .accepted(receivers: 1)
        }
    }

    func order(_ id: String) async throws(EventBusError) -> OrderRecord? {
        try state.withLock { (state) throws(EventBusError) -> OrderRecord? in
            guard state.broker != .down else { throw Self.unreachable }
            guard let accepted = state.accepted.first(where: { $0.order.orderId == id })?.order else { return nil }
            var record = OrderRecord(orderId: id)
            record.customerId = accepted.customerId
            record.items = accepted.items
            record.status = state.acceptedStatus
            return record
        }
    }

    func stock(_ sku: String) async throws(EventBusError) -> (available: Int, reserved: Int)? { try checkUp((10, 0)) }
    func instances() async throws(EventBusError) -> [InstanceHeartbeat] { try checkUp([]) }
    func metricsSnapshots() async throws(EventBusError) -> [(instance: String, snapshot: MetricsSnapshot)] {
        try checkUp([])
    }
    func trace(_ correlationID: String) async throws(EventBusError) -> [CloudEvent] { try checkUp([]) }
    func follow(_ correlationID: String) -> AsyncStream<CloudEvent> { AsyncStream { $0.finish() } }
    func ping() async throws(EventBusError) -> Duration { try checkUp(.zero) }

    private static let unreachable = EventBusError(.unavailable, "connection refused (in-memory broker is down)")

    /// `value`, or the unreachable error while the broker is down.
    private func checkUp<Value>(_ value: Value) throws(EventBusError) -> Value {
        guard broker != .down else { throw Self.unreachable }
        return value
    }
}
