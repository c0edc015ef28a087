import EventBus
import EventBusInMemory
import PaymentService
import SagaEvents
import SagaFixtures
import Testing

/// Orders placed through the ingress: the card is a vault token, read just before the charge and deleted
/// by the commit that settles it.
@Suite struct VaultedCardTests {
    let provider = RecordingPaymentProvider()
    let created = OrderCreated(orderId: "o-1", customerId: "c-1", items: [OrderItem(sku: "BOOK-1", quantity: 2)],
                               payment: PaymentDetails(token: "tok_1", last4: "4242"))

    /// Decides `events` in order on one record, as the runner would, and returns the final commit: the one
    /// the charge's follow-up made.
    func settle(with vault: any CardVaultReader) async throws -> Commit {
        let service = PaymentService(provider: provider, vault: vault)
        var record: VersionedRecord<PaymentRecord>?
        for event in [try CloudEvent.saga(EventTypes.orderCreated, created),
                      try CloudEvent.saga(EventTypes.stockReserved, Saga.stockReserved())] {
            let commit = try #require(try await service.decide(event, record: record))
            #expect(commit.outcome.record["card"] == nil, "the record keeps no card number")
            record = try commit.appliedRecord()
            if let followUp = try service.followUp(after: record, for: event) {
                return try await followUp.perform()
            }
        }
        Issue.record("no charge was made")
        return Commit(key: "", expected: nil, outcome: Commit.Outcome(record: [:]))
    }

    @Test func chargesTheVaultedCardAndDeletesItsEntryWithTheResult() async throws {
        let commit = try await settle(with: MemoryCardVault(["tok_1": Saga.goodCard]))
        #expect(await provider.charges.map(\.card) == [Saga.goodCard])
        #expect(commit.outcome.changes == [.delete(key: CardVault.key(for: "tok_1", orderID: "o-1"))])
        #expect(commit.outcome.record["status"] == "completed")
        #expect(commit.outcome.record["cardLast4"] == "4242")
        #expect(commit.outcome.record["cardToken"] == nil)
    }

    @Test func anExpiredEntryFailsThePaymentAfterVoidingTheKey() async throws {
        let commit = try await settle(with: MemoryCardVault())
        #expect(await provider.charges.isEmpty)
        #expect(await provider.voided == ["o-1"])
        #expect(commit.outcome.record["status"] == "failed")
        #expect(commit.outcome.record["reason"] == PaymentFailure.invalidCard.rawValue)
        #expect(commit.outcome.events.map(\.type) == [EventTypes.paymentFailed])
        #expect(commit.outcome.changes == [.delete(key: CardVault.key(for: "tok_1", orderID: "o-1"))])
    }

    @Test func aVaultThatRefusesFailsThePaymentAfterVoidingTheKey() async throws {
        let commit = try await settle(with: RefusingCardVault())
        #expect(await provider.charges.isEmpty)
        #expect(await provider.voided == ["o-1"])
        #expect(commit.outcome.record["reason"] == PaymentFailure.providerUnavailable.rawValue)
    }

    @Test func aPaymentVoidedBeforeItsChargeDeletesTheEntry() async throws {
        let service = PaymentService(provider: provider, vault: MemoryCardVault())
        let first = try #require(try await service.decide(try .saga(EventTypes.orderCreated, created), record: nil))
        let record: VersionedRecord<PaymentRecord> = try first.appliedRecord()
        let cancelled = try CloudEvent.saga(EventTypes.orderCancelled,
                                            OrderCancelled(orderId: "o-1", customerId: "c-1", reason: "out_of_stock"))
        let voided = try #require(try await service.decide(cancelled, record: record))
        #expect(voided.outcome.record["status"] == "voided")
        #expect(voided.outcome.changes == [.delete(key: CardVault.key(for: "tok_1", orderID: "o-1"))])
    }

    @Test func aCardThatComesAfterTheCancellationIsDeletedAtOnce() async throws {
        let service = PaymentService(provider: provider, vault: MemoryCardVault())
        let cancelled = try CloudEvent.saga(EventTypes.orderCancelled,
                                            OrderCancelled(orderId: "o-1", customerId: "c-1", reason: "out_of_stock"))
        let first = try #require(try await service.decide(cancelled, record: nil))
        let record: VersionedRecord<PaymentRecord> = try first.appliedRecord()
        let late = try #require(try await service.decide(try .saga(EventTypes.orderCreated, created), record: record))
        #expect(late.outcome.record == first.outcome.record)
        #expect(late.outcome.changes == [.delete(key: CardVault.key(for: "tok_1", orderID: "o-1"))])
        #expect(late.outcome.events.isEmpty)
    }
}
