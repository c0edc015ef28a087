import EventBus
import EventBusInMemory
import PaymentService
import SagaEvents
import SagaFixtures
import TestSupport
import Testing

/// The money invariant with the provider's ledger as the oracle: however an order's events are delivered,
/// duplicated, raced or interrupted, the provider charges it at most once, and a completed payment names
/// the one charge made.
@Suite struct MoneyInvariantTests {
    let transport = InMemoryTransport()
    let deadLetters = InMemoryDeadLetterStore()
    let ledger = InMemoryChargeLedger()

    /// One payment instance (its own record memory) over the shared transport and ledger.
    func instance(_ name: String, answerDelay: Duration = .zero) -> ServiceRunner {
        let provider = SimulatedCardProvider(answerDelay: answerDelay, ledger: ledger)
        return ServiceRunner(service: PaymentService(provider: provider, vault: MemoryCardVault()),
                             transport: transport, deadLetters: deadLetters, instance: name, logger: .disabled)
    }

    func message(_ event: CloudEvent) -> InboundMessage {
        InboundMessage(channel: event.type, payload: event.encoded())
    }

    func record(_ orderID: String) async throws -> PaymentRecord? {
        try PaymentRecord(stored: try await transport.record(PaymentKeys.payment(orderID)))
    }

    @Test func theIntentIsCommittedWithItsKeyBeforeTheProviderIsAsked() async throws {
        let seen = RecordedRecords()
        let observing = ObservingPaymentProvider(provider: SimulatedCardProvider(ledger: ledger)) { [transport] in
            await seen.add(try? PaymentRecord(stored: try? await transport.record(PaymentKeys.payment("o-1"))))
        }
        let runner = ServiceRunner(service: PaymentService(provider: observing, vault: MemoryCardVault()),
                                   transport: transport, deadLetters: deadLetters, instance: "payment-1",
                                   logger: .disabled)
        #expect(await runner.handle(message(try .saga(EventTypes.orderCreated, Saga.orderCreated()))) == .applied)
        #expect(await runner.handle(message(try .saga(EventTypes.stockReserved, Saga.stockReserved()))) == .applied)
        let intent = try #require(await seen.records.first ?? nil)
        #expect(intent.status == .charging)
        #expect(intent.idempotencyKey == "o-1")
        #expect(intent.amount == 2500)
        #expect(await transport.published.isEmpty == false)
        let final = try #require(try await record("o-1"))
        #expect(final.status == .completed)
        #expect(final.paymentId == (await ledger.charges.first?.paymentID))
    }

    @Test func aCrashBetweenTheChargeAndItsCommitIsResumedWithTheSameKeyAndChargesOnce() async throws {
        let dying = instance("payment-1", answerDelay: .seconds(600))
        #expect(await dying.handle(message(try .saga(EventTypes.orderCreated, Saga.orderCreated()))) == .applied)
        let reserved = try CloudEvent.saga(EventTypes.stockReserved, Saga.stockReserved())
        let handling = Task { await dying.handle(message(reserved)) }
        let charged = await eventually(within: .seconds(10)) { await ledger.charges.count == 1 }
        try #require(charged, "the provider never charged")
        handling.cancel()  // the process dies while the provider's answer is on its way
        #expect(await handling.value == .abandoned)
        #expect(try await record("o-1")?.status == .charging)
        #expect(await transport.published.isEmpty)

        // The redelivery, to a new instance, finds the intent and asks again with the same key.
        #expect(await instance("payment-2").handle(message(reserved)) == .applied)
        let charges = await ledger.charges
        #expect(charges.count == 1, "\(charges)")
        #expect(await ledger.requests == 2)
        let completed = try #require(await transport.published.first { $0.type == EventTypes.paymentCompleted })
        #expect(try completed.decodeData(as: PaymentCompleted.self).paymentId == charges.first?.paymentID)
        #expect(try await record("o-1")?.paymentId == charges.first?.paymentID)
        #expect(await instance("payment-3").handle(message(reserved)) == .ignored)
        #expect(await ledger.requests == 2)
    }

    @Test func concurrentDeliveriesOfOneOrderToTwoInstancesChargeItOnce() async throws {
        let orders = (1...20).map { "o-\($0)" }
        let (first, second) = (instance("payment-1", answerDelay: .milliseconds(5)),
                               instance("payment-2", answerDelay: .milliseconds(5)))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for order in orders {
                let created = message(try .saga(EventTypes.orderCreated, Saga.orderCreated(order: order), order: order))
                let reserved = message(try .saga(EventTypes.stockReserved, Saga.stockReserved(order: order, amount: 100),
                                                  order: order))
                // Each half goes to both instances at once, as duplicates racing on two consumers.
                group.addTask { _ = await first.handle(created) }
                group.addTask { _ = await second.handle(reserved) }
                group.addTask { _ = await second.handle(created) }
                group.addTask { _ = await first.handle(reserved) }
            }
            try await group.waitForAll()
        }
        let charges = await ledger.charges
        let completed = await transport.published.filter { $0.type == EventTypes.paymentCompleted }
        print("20 orders raced on two instances: \(await ledger.requests) requests, \(charges.count) charges")
        #expect(charges.count == orders.count)
        #expect(Set(charges.map(\.idempotencyKey)) == Set(orders))
        #expect(completed.count == orders.count)
        let named = try Set(completed.map { try $0.decodeData(as: PaymentCompleted.self).paymentId })
        #expect(named == Set(charges.map(\.paymentID)))
        #expect(charges.reduce(0) { $0 + $1.amount } == 100 * orders.count)
    }

    @Test func aChargeWhoseAnswerIsLostIsRefundedBeforeThePaymentFails() async throws {
        let losing = AnswerLosingProvider(provider: SimulatedCardProvider(ledger: ledger))
        let runner = ServiceRunner(service: PaymentService(provider: losing, vault: MemoryCardVault()),
                                   transport: transport, deadLetters: deadLetters, instance: "payment-1",
                                   logger: .disabled)
        #expect(await runner.handle(message(try .saga(EventTypes.orderCreated, Saga.orderCreated()))) == .applied)
        let reserved = try CloudEvent.saga(EventTypes.stockReserved, Saga.stockReserved())
        #expect(await runner.handle(message(reserved)) == .applied)
        let failed = try #require(await transport.published.first { $0.type == EventTypes.paymentFailed })
        #expect(try failed.decodeData(as: PaymentFailed.self).reason == .providerUnavailable)
        #expect(await ledger.charges.count == 1)
        #expect(await ledger.refunds == ledger.charges)
        // A late request with the key charges nothing more.
        let late = try await SimulatedCardProvider(ledger: ledger).charge(card: Saga.goodCard, amount: 2500,
                                                                          currency: "USD", idempotencyKey: "o-1")
        #expect(late == .declined(.providerUnavailable))
        #expect(await ledger.charges.count == 1)
    }

    @Test func aDuplicatedStockReservedAfterTheChargeAsksNothingMore() async throws {
        let runner = instance("payment-1")
        #expect(await runner.handle(message(try .saga(EventTypes.orderCreated, Saga.orderCreated()))) == .applied)
        let reserved = try CloudEvent.saga(EventTypes.stockReserved, Saga.stockReserved())
        #expect(await runner.handle(message(reserved)) == .applied)
        #expect(await runner.handle(message(reserved)) == .ignored)
        #expect(await instance("payment-2").handle(message(reserved)) == .ignored)
        #expect(await ledger.charges.count == 1)
        #expect(await ledger.requests == 1)
    }
}

/// A provider whose answers are lost on their way back: it charges, then the caller sees a failure.
struct AnswerLosingProvider: PaymentProvider {
    let provider: any PaymentProvider

    func charge(card: String, amount: Int, currency: String, idempotencyKey: String)
        async throws(PaymentProviderError) -> ChargeResult
    {
        _ = try await provider.charge(card: card, amount: amount, currency: currency, idempotencyKey: idempotencyKey)
        throw PaymentProviderError("the answer was lost")
    }

    func void(idempotencyKey: String) async throws(PaymentProviderError) {
        try await provider.void(idempotencyKey: idempotencyKey)
    }
}

/// Records seen by a provider when it was asked.
actor RecordedRecords {
    private(set) var records: [PaymentRecord?] = []

    func add(_ record: PaymentRecord?) {
        records.append(record)
    }
}

/// A provider that runs `observe` before passing each charge on.
struct ObservingPaymentProvider: PaymentProvider {
    let provider: any PaymentProvider
    let observe: @Sendable () async -> Void

    func charge(card: String, amount: Int, currency: String, idempotencyKey: String)
        async throws(PaymentProviderError) -> ChargeResult
    {
        await observe()
        return try await provider.charge(card: card, amount: amount, currency: currency, idempotencyKey: idempotencyKey)
    }

    func void(idempotencyKey: String) async throws(PaymentProviderError) {
        try await provider.void(idempotencyKey: idempotencyKey)
    }
}
