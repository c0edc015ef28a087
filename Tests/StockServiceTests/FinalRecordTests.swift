import EventBus
import EventBusInMemory
import SagaEvents
import SagaFixtures
import StockService
import Testing

/// The stock service marks every reservation state but `reserved` final, so the record expires once the
/// order is over for it (`retention.finalRecordDays`).
@Suite("StockService final records")
struct FinalRecordTests {
    private let transport = InMemoryTransport()
    private var service: StockService {
        StockService(catalog: .standard, counters: InMemoryStockCounters(transport: transport))
    }

    /// The commit a step leaves for `event` on `record`, the counters answering `answer` first.
    private func stepCommit(_ event: CloudEvent, record: VersionedRecord<Reservation>?) async throws -> Commit {
        try #require(try await service.decide(event, record: record) == nil)
        return try await #require(try service.followUp(after: record, for: event)).perform()
    }

    @Test("a reservation is not final, an out-of-stock rejection is; selling and releasing are final")
    func reservationLifecycle() async throws {
        for commit in service.setup { _ = try await transport.commit(commit, acknowledging: nil, group: "stock") }
        let created = try CloudEvent.saga(EventTypes.orderCreated,
                                          Saga.orderCreated(items: [OrderItem(sku: "BOOK-1", quantity: 1)]))
        let reserve = try await stepCommit(created, record: nil)
        #expect(!reserve.outcome.isFinal)
        let short = try CloudEvent.saga(EventTypes.orderCreated,
                                        Saga.orderCreated(order: "o-2", items: [OrderItem(sku: "PEN-1", quantity: 1)]))
        #expect(try await stepCommit(short, record: nil).outcome.isFinal)
        let reserved: VersionedRecord<Reservation> = try reserve.appliedRecord()

        let confirmed = try CloudEvent.saga(EventTypes.orderConfirmed,
                                            OrderConfirmed(orderId: "o-1", customerId: "c-1", amount: 1250, currency: "USD"))
        #expect(try await stepCommit(confirmed, record: reserved).outcome.isFinal)
        let cancelled = try CloudEvent.saga(EventTypes.orderCancelled,
                                            OrderCancelled(orderId: "o-3", customerId: "c-1", reason: "payment_failed"),
                                            order: "o-3")
        // Cancelled before it was seen: the tombstone is final too.
        #expect(try await stepCommit(cancelled, record: nil).outcome.isFinal)
    }

    @Test("seeding stock is not final: the seeded marker never expires")
    func setupIsKept() {
        #expect(service.setup.allSatisfy { !$0.outcome.isFinal })
    }
}
