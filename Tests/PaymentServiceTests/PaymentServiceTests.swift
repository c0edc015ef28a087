import EventBus
import EventBusInMemory
import PaymentService
import SagaEvents
import SagaFixtures
import Testing

@Suite struct PaymentServiceTests {
    let transport = InMemoryTransport()
    let deadLetters = InMemoryDeadLetterStore()
    let provider = RecordingPaymentProvider()

    func runner(_ provider: any PaymentProvider) -> ServiceRunner {
        ServiceRunner(service: PaymentService(provider: provider, vault: MemoryCardVault()), transport: transport,
                      deadLetters: deadLetters, instance: "payment-test", logger: .disabled)
    }

    var runner: ServiceRunner { runner(provider) }

    func deliver(_ event: CloudEvent, to runner: ServiceRunner? = nil) async -> ServiceRunner.Disposition {
        await (runner ?? self.runner).handle(InboundMessage(channel: event.type, payload: event.encoded()))
    }

    func published(_ type: String) async -> [CloudEvent] {
        await transport.published.filter { $0.type == type }
    }

    func record(_ orderID: String = "o-1") async throws -> PaymentRecord? {
        try PaymentRecord(stored: try await transport.record(PaymentKeys.payment(orderID)))
    }

    @Test func subscribesToBothHalvesAndCancellation() {
        let service = PaymentService(provider: provider, vault: MemoryCardVault())
        #expect(service.name == "payment")
        #expect(Set(service.subscriptions)
            == [EventTypes.orderCreated, EventTypes.stockReserved, EventTypes.orderCancelled])
    }

    @Test func chargesOnceWhenTheCardComesFirst() async throws {
        #expect(await deliver(try .saga(EventTypes.orderCreated, Saga.orderCreated())) == .applied)
        #expect(await provider.charges.isEmpty)
        #expect(await transport.published.isEmpty)
        #expect(try await record()?.status == .awaitingAmount)

        let reserved = try CloudEvent.saga(EventTypes.stockReserved, Saga.stockReserved(amount: 2500))
        #expect(await deliver(reserved) == .applied)
        #expect(await provider.charges == [
            .init(card: Saga.goodCard, amount: 2500, currency: "USD", idempotencyKey: "o-1"),
        ])
        let completed = await published(EventTypes.paymentCompleted)
        try #require(completed.count == 1)
        #expect(try completed[0].decodeData(as: PaymentCompleted.self)
            == PaymentCompleted(orderId: "o-1", paymentId: "pay_1", amount: 2500, currency: "USD"))
        #expect(completed[0].source == "switchboard/payment")
        #expect(completed[0].correlationID == "o-1")
        #expect(completed[0].causationID == reserved.id)
    }

    @Test func chargesOnceWhenTheAmountComesFirst() async throws {
        #expect(await deliver(try .saga(EventTypes.stockReserved, Saga.stockReserved(amount: 900))) == .applied)
        #expect(await provider.charges.isEmpty)
        #expect(try await record()?.status == .awaitingCard)

        let created = try CloudEvent.saga(EventTypes.orderCreated, Saga.orderCreated())
        #expect(await deliver(created) == .applied)
        #expect(await provider.charges.map(\.amount) == [900])
        let completed = await published(EventTypes.paymentCompleted)
        try #require(completed.count == 1)
        #expect(completed[0].causationID == created.id)
        #expect(try completed[0].decodeData(as: PaymentCompleted.self).amount == 900)
    }

    @Test func aRedeliveredStockReservedNeverChargesTwice() async throws {
        #expect(await deliver(try .saga(EventTypes.orderCreated, Saga.orderCreated())) == .applied)
        let reserved = try CloudEvent.saga(EventTypes.stockReserved, Saga.stockReserved())
        #expect(await deliver(reserved) == .applied)
        #expect(await deliver(reserved) == .ignored)
        #expect(await deliver(try .saga(EventTypes.stockReserved, Saga.stockReserved())) == .ignored)
        #expect(await deliver(try .saga(EventTypes.orderCreated, Saga.orderCreated())) == .ignored)
        #expect(await provider.charges.count == 1)
        #expect(await published(EventTypes.paymentCompleted).count == 1)
    }

    @Test func aDuplicatedCardDoesNotReplaceTheFirst() async throws {
        #expect(await deliver(try .saga(EventTypes.orderCreated, Saga.orderCreated())) == .applied)
        #expect(await deliver(try .saga(EventTypes.orderCreated, Saga.orderCreated(card: "4000000000000002"))) == .ignored)
        #expect(await deliver(try .saga(EventTypes.stockReserved, Saga.stockReserved())) == .applied)
        #expect(await provider.charges.map(\.card) == [Saga.goodCard])
    }

    @Test func concurrentDeliveriesOfTheSecondHalfPublishOneOutcome() async throws {
        #expect(await deliver(try .saga(EventTypes.orderCreated, Saga.orderCreated())) == .applied)
        let reserved = try CloudEvent.saga(EventTypes.stockReserved, Saga.stockReserved())
        async let first = deliver(reserved)
        async let second = deliver(reserved)
        let outcomes = await [first, second]
        // Both may report `.applied`: one delivery can commit the intent and the other, resuming it, the
        // result. What must hold is one outcome published, and every request to the provider carrying the
        // order's one idempotency key (the provider's ledger tests count the charges themselves).
        #expect(outcomes.allSatisfy { $0 == .applied || $0 == .ignored }, "\(outcomes)")
        #expect(outcomes.contains(.applied))
        #expect(await published(EventTypes.paymentCompleted).count == 1)
        #expect(Set(await provider.charges.map(\.idempotencyKey)) == ["o-1"])
        #expect(await provider.voided.isEmpty)
        #expect(try await record()?.status == .completed)
    }

    @Test func aCardThatIsNotTwelveToNineteenDigitsIsDeadLetteredUncharged() async throws {
        let simulated = runner(SimulatedCardProvider(ledger: InMemoryChargeLedger()))
        let disposition = await deliver(try .saga(EventTypes.orderCreated, Saga.orderCreated(card: "not-a-card")),
                                        to: simulated)
        #expect(disposition == .deadLettered(reason: "data.payment.card: must be 12 to 19 digits"))
        #expect(try await record() == nil)
        #expect(await transport.published.isEmpty)
    }

    @Test(arguments: [
        ("4242424242424242", nil),
        ("4000000000000002", PaymentFailure.cardDeclined),
        ("4000000000009995", .insufficientFunds),
    ])
    func theSimulatedProvidersVerdictBecomesTheOutcome(card: String, failure: PaymentFailure?) async throws {
        let simulated = runner(SimulatedCardProvider(ledger: InMemoryChargeLedger()))
        #expect(await deliver(try .saga(EventTypes.orderCreated, Saga.orderCreated(card: card)), to: simulated) == .applied)
        #expect(await deliver(try .saga(EventTypes.stockReserved, Saga.stockReserved()), to: simulated) == .applied)
        let stored = try #require(try await record())
        if let failure {
            let failed = try #require(await published(EventTypes.paymentFailed).first)
            #expect(try failed.decodeData(as: PaymentFailed.self) == PaymentFailed(orderId: "o-1", reason: failure))
            #expect(await published(EventTypes.paymentCompleted).isEmpty)
            #expect(stored.status == .failed)
            #expect(stored.reason == failure)
        } else {
            let completed = try #require(await published(EventTypes.paymentCompleted).first)
            #expect(try completed.decodeData(as: PaymentCompleted.self).paymentId == stored.paymentId)
            #expect(await published(EventTypes.paymentFailed).isEmpty)
            #expect(stored.status == .completed)
        }
    }

    @Test func aProviderOutageFailsThePaymentAsProviderUnavailable() async throws {
        let down = runner(SimulatedCardProvider(failureRate: 1, ledger: InMemoryChargeLedger()))
        #expect(await deliver(try .saga(EventTypes.stockReserved, Saga.stockReserved()), to: down) == .applied)
        #expect(await deliver(try .saga(EventTypes.orderCreated, Saga.orderCreated()), to: down) == .applied)
        let failed = try #require(await published(EventTypes.paymentFailed).first)
        #expect(try failed.decodeData(as: PaymentFailed.self)
            == PaymentFailed(orderId: "o-1", reason: .providerUnavailable))
    }

    @Test func theStoredRecordKeepsOnlyTheLastFourDigits() async throws {
        #expect(await deliver(try .saga(EventTypes.orderCreated, Saga.orderCreated(card: "5555555555554444"))) == .applied)
        #expect(await deliver(try .saga(EventTypes.stockReserved, Saga.stockReserved())) == .applied)
        let record = try #require(try await transport.record(PaymentKeys.payment("o-1")))
        #expect(!record.fields.values.contains { $0.contains("5555555555554444") })
        let stored = try #require(try PaymentRecord(stored: record))
        #expect(stored.card == nil)
        #expect(stored.cardLast4 == "4444")
        #expect(stored.amount == 2500)
        #expect(stored.paymentId == "pay_1")
    }

    @Test func anOrderCancelledBeforeItsAmountIsNeverCharged() async throws {
        #expect(await deliver(try .saga(EventTypes.orderCreated, Saga.orderCreated())) == .applied)
        let cancelled = OrderCancelled(orderId: "o-1", customerId: "c-1", reason: "out_of_stock")
        #expect(await deliver(try .saga(EventTypes.orderCancelled, cancelled)) == .applied)
        #expect(try await record() == PaymentRecord(status: .voided))
        #expect(await deliver(try .saga(EventTypes.stockReserved, Saga.stockReserved())) == .ignored)
        #expect(await provider.charges.isEmpty)
        #expect(await transport.published.isEmpty)
    }

    @Test func aCancellationAfterTheChargeChangesNothing() async throws {
        #expect(await deliver(try .saga(EventTypes.orderCreated, Saga.orderCreated())) == .applied)
        #expect(await deliver(try .saga(EventTypes.stockReserved, Saga.stockReserved())) == .applied)
        let cancelled = OrderCancelled(orderId: "o-1", customerId: "c-1", reason: "card_declined")
        #expect(await deliver(try .saga(EventTypes.orderCancelled, cancelled)) == .ignored)
        #expect(try await record()?.status == .completed)
    }

    @Test func ordersArePaidIndependently() async throws {
        for id in ["o-1", "o-2"] {
            #expect(await deliver(try .saga(EventTypes.orderCreated, Saga.orderCreated(order: id), order: id)) == .applied)
        }
        #expect(await deliver(try .saga(EventTypes.stockReserved, Saga.stockReserved(order: "o-2", amount: 150),
                                        order: "o-2")) == .applied)
        #expect(await provider.charges == [
            .init(card: Saga.goodCard, amount: 150, currency: "USD", idempotencyKey: "o-2"),
        ])
        #expect(try await record("o-1")?.status == .awaitingAmount)
    }

    // MARK: Malformed messages

    @Test(arguments: [
        (EventTypes.orderCreated,
         JSONValue.object(["orderId": "o-1", "items": [["sku": "MUG-1", "quantity": 1]], "payment": ["card": "4242"]]),
         "data.customerId is missing"),
        (EventTypes.orderCreated, JSONValue.object([
            "orderId": "o-1", "customerId": "c-1", "items": [["sku": "MUG-1", "quantity": "2"]],
            "payment": ["card": "4242"],
        ]), "data.items[0].quantity"),
        (EventTypes.orderCreated,
         JSONValue.object(["orderId": "o-1", "customerId": "c-1", "items": [["sku": "MUG-1", "quantity": 1]]]),
         "data.payment is missing"),
        (EventTypes.stockReserved,
         JSONValue.object(["orderId": "o-1", "customerId": "c-1", "items": [], "amount": "25.00", "currency": "USD"]),
         "data.amount"),
        (EventTypes.orderCancelled, JSONValue.object(["orderId": 42, "customerId": "c-1", "reason": "x"]),
         "data.orderId"),
    ])
    func malformedDataIsDeadLetteredWithTheFieldToBlame(type: String, data: JSONValue, reason: String) async throws {
        let message = InboundMessage(channel: type, payload: CloudEvent.raw(type, data).encoded())
        let disposition = await runner.handle(message)
        let given = try #require(disposition.deadLetterReason, "expected a dead letter, got \(disposition)")
        #expect(given.contains(reason), "\(given)")
        let letter = try #require(await deadLetters.letters.first)
        #expect(letter.service == "payment")
        #expect(letter.channel == type)
        #expect(letter.payload == message.payload)
        #expect(try await record() == nil)
        #expect(await provider.charges.isEmpty)
    }

    @Test func theServiceGoesOnAfterADeadLetter() async throws {
        let broken = CloudEvent.raw(EventTypes.orderCreated, ["orderId": "o-1", "customerId": "c-1"])
        guard case .deadLettered = await deliver(broken) else {
            Issue.record("expected a dead letter")
            return
        }
        #expect(await deliver(try .saga(EventTypes.orderCreated, Saga.orderCreated())) == .applied)
        #expect(await deliver(try .saga(EventTypes.stockReserved, Saga.stockReserved())) == .applied)
        #expect(await published(EventTypes.paymentCompleted).count == 1)
        #expect(await deadLetters.letters.count == 1)
    }
}
