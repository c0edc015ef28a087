import EventBus
import SagaEvents
import SagaFixtures
import StockService
import Testing

/// The stock service marks every reservation state but `reserved` final, so the record expires once the
/// order is over for it (`retention.finalRecordDays`).
@Suite("StockService final records")
struct FinalRecordTests {
    private let service = StockService(catalog: .standard)

    @Test("a reservation is not final, its out-of-stock fallbacks are; selling and releasing are final")
    func reservationLifecycle() async throws {
        let created = try CloudEvent.saga(EventTypes.orderCreated,
                                          Saga.orderCreated(items: [OrderItem(sku: "BOOK-1", quantity: 1)]))
        let reserve = try #require(try await service.decide(created, record: nil))
        #expect(!reserve.outcome.isFinal)
        #expect(reserve.fallbacks.allSatisfy { $0.isFinal })
        let reserved = StoredRecord(version: 1, fields: reserve.outcome.record)

        let confirmed = try CloudEvent.saga(EventTypes.orderConfirmed,
                                            OrderConfirmed(orderId: "o-1", customerId: "c-1", amount: 1250, currency: "USD"))
        #expect(try await service.decide(confirmed, record: reserved)?.outcome.isFinal == true)
        let cancelled = try CloudEvent.saga(EventTypes.orderCancelled,
                                            OrderCancelled(orderId: "o-1", customerId: "c-1", reason: "payment_failed"))
        #expect(try await service.decide(cancelled, record: reserved)?.outcome.isFinal == true)
        // Cancelled before it was seen: the tombstone is final too.
        #expect(try await service.decide(cancelled, record: nil)?.outcome.isFinal == true)
    }

    @Test("seeding stock is not final: the seeded marker never expires")
    func setupIsKept() {
        #expect(service.setup.allSatisfy { !$0.outcome.isFinal })
    }
}
