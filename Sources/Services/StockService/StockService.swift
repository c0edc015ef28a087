import EventBus
import SagaEvents

/// The stock service on the bus: reserves an order's items atomically, rejects what cannot be served,
/// releases a cancelled order's units, and seeds stock from the catalog on first start.
///
/// Keys (`StockKeys`): `stock:item:<sku>` hashes with `available` and `reserved`, one
/// `stock:reservation:<orderId>` record per order, and `stock:seeded:<sku>` markers.
public struct StockService: EventService {
    public let name = "stock"
    /// The event types it handles, without an instance: the ACLs (`AccessPolicy`) and tests read them.
    public static let subscriptions = [EventTypes.orderCreated, EventTypes.orderCancelled, EventTypes.orderConfirmed]
    public var subscriptions: [String] { Self.subscriptions }
    private let machine: StockMachine

    /// Creates the service.
    /// - Parameter catalog: the products, their prices and initial stock.
    public init(catalog: Catalog) {
        self.machine = StockMachine(catalog: catalog)
    }

    /// One commit per SKU: its initial stock, applied only while the SKU was never seeded.
    public var setup: [Commit] {
        machine.catalog.items.map { item in
            Commit(key: StockKeys.seeded(item.sku), expected: nil, outcome: Commit.Outcome(
                record: ["stock": "\(item.stock)"],
                changes: [
                    .increment(key: StockKeys.item(item.sku), field: "available", by: item.stock),
                    .increment(key: StockKeys.item(item.sku), field: "reserved", by: 0),
                ]
            ))
        }
    }

    public func recordKey(for event: CloudEvent) throws(CloudEventError) -> String {
        StockKeys.reservation(try event.orderID())
    }

    public func decide(_ event: CloudEvent, record: StoredRecord?) async throws -> Commit? {
        let reservation = try Reservation(stored: record)
        let action: StockMachine.Action
        switch event.type {
        case EventTypes.orderCreated:
            action = machine.orderCreated(try event.payload(OrderCreated.self), reservation: reservation)
        case EventTypes.orderCancelled:
            action = machine.orderCancelled(orderID: try event.orderID(), reservation: reservation)
        case EventTypes.orderConfirmed:
            action = machine.orderConfirmed(reservation: reservation)
        default:
            return nil
        }
        return commit(for: action, caused: event, key: try recordKey(for: event), expected: record)
    }

    private func commit(for action: StockMachine.Action, caused event: CloudEvent, key: String, expected: StoredRecord?)
        -> Commit?
    {
        func emit(_ type: String, _ payload: some Encodable) -> CloudEvent {
            event.caused(type: type, source: source, payload: payload)
        }
        func moves(_ items: [OrderItem], available: Int, reserved: Int) -> [Commit.Change] {
            items.flatMap { item in
                [
                    .increment(key: StockKeys.item(item.sku), field: "available", by: available * item.quantity),
                    .increment(key: StockKeys.item(item.sku), field: "reserved", by: reserved * item.quantity),
                ].filter { if case .increment(_, _, 0) = $0 { false } else { true } }
            }
        }
        switch action {
        case .reserve(let items, let reserved):
            let rejected = Reservation(status: .rejected).fields
            return Commit(
                key: key, expected: expected,
                conditions: items.map {
                    Commit.Condition(key: StockKeys.item($0.sku), field: "available", atLeast: $0.quantity)
                },
                outcome: Commit.Outcome(
                    record: Reservation(status: .reserved, items: items).fields,
                    changes: moves(items, available: -1, reserved: 1),
                    events: [emit(EventTypes.stockReserved, reserved)]
                ),
                fallbacks: items.map { item in
                    Commit.Outcome(record: rejected, events: [
                        emit(EventTypes.stockRejected,
                             StockRejected(orderId: reserved.orderId, reason: .outOfStock, sku: item.sku)),
                    ], final: true)
                }
            )
        case .reject(let rejection):
            return Commit(key: key, expected: expected, outcome: Commit.Outcome(
                record: Reservation(status: .rejected).fields, events: [emit(EventTypes.stockRejected, rejection)],
                final: true
            ))
        case .release(let released):
            return Commit(key: key, expected: expected, outcome: Commit.Outcome(
                record: Reservation(status: .released, items: released.items).fields,
                changes: moves(released.items, available: 1, reserved: -1),
                events: [emit(EventTypes.stockReleased, released)], final: true
            ))
        case .sell(let items):
            return Commit(key: key, expected: expected, outcome: Commit.Outcome(
                record: Reservation(status: .sold, items: items).fields,
                changes: moves(items, available: 0, reserved: -1), final: true
            ))
        case .tombstone:
            return Commit(key: key, expected: expected,
                          outcome: Commit.Outcome(record: Reservation(status: .cancelled).fields, final: true))
        case .nothing:
            return nil
        }
    }
}
