import EventBus
import SagaEvents

/// The order service on the bus: keeps each order's state and history, and confirms or cancels it.
///
/// Key (`OrderKeys`): one `order:<orderId>` record per order, the read model of `GET /orders/{id}`.
public struct OrderService: EventService {
    public let name = "order"
    /// The event types it handles, without an instance: the ACLs (`AccessPolicy`) and tests read them.
    public static let subscriptions = [
        EventTypes.orderCreated, EventTypes.stockReserved, EventTypes.stockRejected,
        EventTypes.paymentCompleted, EventTypes.paymentFailed,
    ]
    public var subscriptions: [String] { Self.subscriptions }
    private let machine = OrderMachine(source: "switchboard/order")

    public init() {}

    public func recordKey(for event: CloudEvent) throws(CloudEventError) -> String {
        OrderKeys.order(try event.orderID())
    }

    public func decide(_ event: CloudEvent, record: VersionedRecord<OrderRecord>?) async throws -> Commit? {
        guard let transition = try machine.apply(event, to: record?.value) else { return nil }
        // The order service is where every order begins, so it writes the order's first event to the
        // order's trace log; every later event is logged by the commit that emits it.
        let changes: [Commit.Change] = event.type == EventTypes.orderCreated ? [.trace(event)] : []
        return Commit(key: try recordKey(for: event), expected: record?.stored, outcome: Commit.Outcome(
            record: transition.record.fields, changes: changes, events: transition.emitted.map { [$0] } ?? [],
            final: transition.record.status.isFinal
        ))
    }
}
