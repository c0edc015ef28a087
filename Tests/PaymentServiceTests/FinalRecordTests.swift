import EventBus
import PaymentService
import SagaEvents
import SagaFixtures
import Testing

/// The payment service marks a settled, failed or voided payment final, so its record expires
/// (`retention.finalRecordDays`); a record still waiting or charging is kept.
@Suite("PaymentService final records")
struct FinalRecordTests {
    private let service = PaymentService(provider: RecordingPaymentProvider(), vault: MemoryCardVault())

    @Test("waiting for the other half and charging are not final; voiding is")
    func decisions() async throws {
        let created = try CloudEvent.saga(EventTypes.orderCreated, Saga.orderCreated())
        let store = try #require(try await service.decide(created, record: nil))
        #expect(!store.outcome.isFinal)
        let awaiting = try store.appliedRecord(as: PaymentRecord.self)
        let reserved = try CloudEvent.saga(EventTypes.stockReserved, Saga.stockReserved())
        #expect(try await service.decide(reserved, record: awaiting)?.outcome.isFinal == false)
        let cancelled = try CloudEvent.saga(EventTypes.orderCancelled,
                                            OrderCancelled(orderId: "o-1", customerId: "c-1", reason: "out_of_stock"))
        #expect(try await service.decide(cancelled, record: awaiting)?.outcome.isFinal == true)
    }

    @Test("the provider's answer, committed after the charge, is final")
    func settledIsFinal() async throws {
        let created = try CloudEvent.saga(EventTypes.orderCreated, Saga.orderCreated())
        let store = try #require(try await service.decide(created, record: nil))
        let reserved = try CloudEvent.saga(EventTypes.stockReserved, Saga.stockReserved())
        let awaiting = try store.appliedRecord(as: PaymentRecord.self)
        let charge = try #require(try await service.decide(reserved, record: awaiting))
        let charging = try charge.appliedRecord(as: PaymentRecord.self)
        let followUp = try #require(try service.followUp(after: charging, for: reserved))
        #expect(try await followUp.perform().outcome.isFinal)
    }
}
