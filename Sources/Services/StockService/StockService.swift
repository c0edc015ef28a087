import EventBus
import SagaEvents

/// The stock service on the bus: reserves an order's items atomically, rejects what cannot be served,
/// releases a cancelled order's units, and seeds stock from the catalog on first start.
///
/// Keys (`StockKeys`): the counters `stock:{stock}:item:<sku>` (hashes with `available` and `reserved`) and one
/// answer per order `stock:{stock}:answer:<orderId>`, all in the counters' slot; one
/// `stock:reservation:{p07}:<orderId>` record per order, in the order's partition; `stock:{stock}:seeded:<sku>`
/// markers.
///
/// An order's units move in two steps, so that each touches one slot (Redis Cluster): a step on the counters
/// (`StockCounters`: reserve, release or sell, idempotent by order id), run by the runner as a `FollowUp`
/// step on the confirmed record, then the commit of its answer as the reservation record and event, with the
/// acknowledgement, in the order's partition. A crash between the two redelivers the event, whose step gets
/// the answer stored the first time and commits it: the units move once, the event is emitted once.
public struct StockService: EventService {
    public let name = "stock"
    /// The event types it handles, without an instance: the ACLs (`AccessPolicy`) and tests read them.
    public static let subscriptions = [EventTypes.orderCreated, EventTypes.orderCancelled, EventTypes.orderConfirmed]
    public var subscriptions: [String] { Self.subscriptions }
    private let machine: StockMachine
    private let counters: any StockCounters

    /// Creates the service.
    /// - Parameters:
    ///   - catalog: the products, their prices and initial stock.
    ///   - counters: where units are reserved, released and sold.
    public init(catalog: Catalog, counters: any StockCounters) {
        self.machine = StockMachine(catalog: catalog)
        self.counters = counters
    }

    /// One commit per SKU: its initial stock, applied only while the SKU was never seeded. Marker and counter
    /// share the counters' slot.
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

    /// Commits a rejection that needs no counter; everything else is a step on the counters (`followUp`).
    public func decide(_ event: CloudEvent, record: VersionedRecord<Reservation>?) async throws -> Commit? {
        guard case .reject(let rejection) = try action(for: event, reservation: record?.value) else { return nil }
        return Commit(key: try recordKey(for: event), expected: record?.stored, outcome: Commit.Outcome(
            record: Reservation(status: .rejected).fields,
            events: [event.caused(type: EventTypes.stockRejected, source: source, payload: rejection)], final: true
        ))
    }

    /// The step on the counters that `event` takes on the confirmed `record`, and the commit of its answer.
    public func followUp(after record: VersionedRecord<Reservation>?, for event: CloudEvent) throws -> FollowUp? {
        let action = try action(for: event, reservation: record?.value)
        // Nothing to do (what the record a commit leaves usually says): no step to build.
        guard action != .nothing else { return nil }
        let orderID = try event.orderID()
        let (counters, key) = (counters, StockKeys.reservation(orderID))
        let commit = { @Sendable (answer: StockAnswer, reserved: StockReserved?) in
            self.commit(answer, reserved: reserved, order: orderID, caused: event, key: key,
                        expected: record?.stored)
        }
        switch action {
        case .reserve(let items, let reserved):
            return FollowUp(name: "reserve", kind: .step) { () async throws(EventBusError) in
                commit(try await counters.reserve(orderID: orderID, items: items), reserved)
            }
        case .release:
            return FollowUp(name: "release", kind: .step) { () async throws(EventBusError) in
                commit(try await counters.release(orderID: orderID), nil)
            }
        case .sell:
            let held = record?.value.items ?? []
            return FollowUp(name: "sell", kind: .step) { () async throws(EventBusError) in
                let answer = try await counters.sell(orderID: orderID)
                return commit(answer == .unknown ? .sold(held) : answer, nil)
            }
        case .reject, .nothing:
            return nil
        }
    }

    private func action(for event: CloudEvent, reservation: Reservation?) throws(CloudEventError) -> StockMachine.Action {
        switch event.type {
        case EventTypes.orderCreated:
            return machine.orderCreated(try event.payload(OrderCreated.self), reservation: reservation)
        case EventTypes.orderCancelled:
            return machine.orderCancelled(reservation: reservation)
        case EventTypes.orderConfirmed:
            return machine.orderConfirmed(reservation: reservation)
        default:
            return .nothing
        }
    }

    /// The commit of the counters' answer for an order: its record and event. `reserved` is the event a
    /// reservation announces (from `order.created`); an answer that is not the step's own (the order was
    /// cancelled meanwhile, by another delivery) is committed all the same, as the order's state.
    private func commit(
        _ answer: StockAnswer, reserved: StockReserved?, order orderID: String, caused event: CloudEvent, key: String,
        expected: StoredRecord?
    ) -> Commit {
        func emit(_ type: String, _ payload: some Encodable) -> [CloudEvent] {
            [event.caused(type: type, source: source, payload: payload)]
        }
        let outcome: Commit.Outcome
        switch answer {
        case .reserved(let items):
            outcome = Commit.Outcome(record: Reservation(status: .reserved, items: items).fields,
                                     events: reserved.map { emit(EventTypes.stockReserved, $0) } ?? [])
        case .rejected(let sku):
            outcome = Commit.Outcome(
                record: Reservation(status: .rejected).fields,
                events: emit(EventTypes.stockRejected, StockRejected(orderId: orderID, reason: .outOfStock, sku: sku)),
                final: true
            )
        case .released(let items):
            outcome = Commit.Outcome(record: Reservation(status: .released, items: items).fields,
                                     events: emit(EventTypes.stockReleased, StockReleased(orderId: orderID, items: items)),
                                     final: true)
        case .sold(let items):
            outcome = Commit.Outcome(record: Reservation(status: .sold, items: items).fields, final: true)
        case .cancelled, .unknown:
            outcome = Commit.Outcome(record: Reservation(status: .cancelled).fields, final: true)
        }
        return Commit(key: key, expected: expected, outcome: outcome)
    }
}
