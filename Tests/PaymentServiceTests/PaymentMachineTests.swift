import PaymentService
import SagaEvents
import SagaFixtures
import Testing

@Suite struct PaymentMachineTests {
    let machine = PaymentMachine()

    // MARK: Collecting card and amount

    @Test func theCardComingFirstIsKeptUntilTheAmountArrives() {
        let first = machine.orderCreated(Saga.orderCreated(), record: nil)
        let waiting = PaymentRecord(status: .awaitingAmount, card: Saga.goodCard)
        #expect(first == .store(waiting))

        let second = machine.stockReserved(Saga.stockReserved(amount: 2500, currency: "EUR"), record: waiting)
        guard case .charge(let charge) = second else {
            Issue.record("expected a charge, got \(second)")
            return
        }
        #expect(charge.orderID == "o-1")
        #expect(charge.card == Saga.goodCard)
        #expect(charge.amount == 2500)
        #expect(charge.currency == "EUR")
    }

    @Test func theAmountComingFirstIsKeptUntilTheCardArrives() {
        let first = machine.stockReserved(Saga.stockReserved(amount: 1800, currency: "USD"), record: nil)
        let waiting = PaymentRecord(status: .awaitingCard, amount: 1800, currency: "USD")
        #expect(first == .store(waiting))

        let second = machine.orderCreated(Saga.orderCreated(card: "5555555555554444"), record: waiting)
        guard case .charge(let charge) = second else {
            Issue.record("expected a charge, got \(second)")
            return
        }
        #expect(charge.orderID == "o-1")
        #expect(charge.card == "5555555555554444")
        #expect(charge.amount == 1800)
        #expect(charge.currency == "USD")
    }

    @Test func aDuplicateHalfDoesNothing() {
        let awaitingAmount = PaymentRecord(status: .awaitingAmount, card: Saga.goodCard)
        #expect(machine.orderCreated(Saga.orderCreated(card: "4000000000000002"), record: awaitingAmount) == .nothing)
        let awaitingCard = PaymentRecord(status: .awaitingCard, amount: 2500, currency: "USD")
        #expect(machine.stockReserved(Saga.stockReserved(amount: 1), record: awaitingCard) == .nothing)
    }

    @Test(arguments: [PaymentRecord.Status.charging, .completed, .failed, .voided])
    func nothingHappensOnceThePaymentIsFinalOrBeingCharged(_ status: PaymentRecord.Status) {
        let record = PaymentRecord(status: status, cardLast4: "4242", amount: 2500, currency: "USD")
        #expect(machine.orderCreated(Saga.orderCreated(), record: record) == .nothing)
        #expect(machine.stockReserved(Saga.stockReserved(), record: record) == .nothing)
        #expect(machine.orderCancelled(record: record) == .nothing)
    }

    // MARK: Cancellation

    @Test(arguments: [
        nil, PaymentRecord(status: .awaitingAmount, card: Saga.goodCard),
        PaymentRecord(status: .awaitingCard, amount: 2500, currency: "USD"),
    ])
    func anOrderCancelledBeforeItsChargeIsVoidedAndForgetsTheCard(_ record: PaymentRecord?) {
        #expect(machine.orderCancelled(record: record) == .store(PaymentRecord(status: .voided)))
    }

    @Test func aVoidedOrderIsNeverCharged() {
        let voided = PaymentRecord(status: .voided)
        #expect(machine.stockReserved(Saga.stockReserved(), record: voided) == .nothing)
        #expect(machine.orderCreated(Saga.orderCreated(), record: voided) == .nothing)
    }

    // MARK: The charge as a step of its own

    @Test func aChargeIsFirstAnIntentWithTheOrdersIdempotencyKey() throws {
        let intent = machine.intent(try charge())
        #expect(intent == PaymentRecord(status: .charging, card: Saga.goodCard, amount: 2500, currency: "USD",
                                        idempotencyKey: "o-1"))
        #expect(machine.pendingCharge(intent, orderID: "o-1") == (try charge()))
    }

    @Test(arguments: [PaymentRecord.Status.awaitingAmount, .awaitingCard, .completed, .failed, .voided])
    func onlyAnIntentAsksForACharge(_ status: PaymentRecord.Status) {
        let record = PaymentRecord(status: status, card: Saga.goodCard, amount: 2500, currency: "USD",
                                   idempotencyKey: "o-1")
        #expect(machine.pendingCharge(record, orderID: "o-1") == nil)
    }

    // MARK: Settling

    /// A charge as the machine asks for one (`Charge` has no public initializer).
    func charge(card: String = Saga.goodCard, amount: Int = 2500) throws -> PaymentMachine.Charge {
        let action = machine.stockReserved(Saga.stockReserved(amount: amount),
                                           record: PaymentRecord(status: .awaitingAmount, card: card))
        guard case .charge(let charge) = action else { throw ChargeMissing() }
        return charge
    }

    struct ChargeMissing: Error {}

    @Test func anApprovedChargeCompletesThePayment() throws {
        let settled = machine.settle(try charge(), result: .success(.approved(paymentID: "pay_42")))
        #expect(settled.type == "payment.completed")
        #expect(settled.record == PaymentRecord(status: .completed, cardLast4: "4242", amount: 2500, currency: "USD",
                                                paymentId: "pay_42", idempotencyKey: "o-1"))
        let payload = try #require(settled.payload as? PaymentCompleted)
        #expect(payload == PaymentCompleted(orderId: "o-1", paymentId: "pay_42", amount: 2500, currency: "USD"))
    }

    @Test(arguments: PaymentFailure.allCases)
    func aDeclinedChargeFailsWithTheProvidersReason(_ reason: PaymentFailure) throws {
        let settled = machine.settle(try charge(), result: .success(.declined(reason)))
        #expect(settled.type == "payment.failed")
        #expect(settled.record == PaymentRecord(status: .failed, cardLast4: "4242", amount: 2500, currency: "USD",
                                                reason: reason, idempotencyKey: "o-1"))
        let payload = try #require(settled.payload as? PaymentFailed)
        #expect(payload == PaymentFailed(orderId: "o-1", reason: reason))
    }

    @Test func aProviderErrorFailsAsProviderUnavailable() throws {
        let settled = machine.settle(try charge(), result: .failure(PaymentProviderError("timed out")))
        #expect(settled.type == "payment.failed")
        #expect(settled.record.status == .failed)
        #expect(settled.record.reason == .providerUnavailable)
        let payload = try #require(settled.payload as? PaymentFailed)
        #expect(payload == PaymentFailed(orderId: "o-1", reason: .providerUnavailable))
    }

    @Test(arguments: [
        Result<ChargeResult, PaymentProviderError>.success(.approved(paymentID: "pay_1")),
        .success(.declined(.cardDeclined)), .failure(PaymentProviderError("down")),
    ])
    func theSettledRecordKeepsOnlyTheLastFourDigits(_ result: Result<ChargeResult, PaymentProviderError>) throws {
        let long = try charge(card: "4000056655665556")
        let record = machine.settle(long, result: result).record
        #expect(record.card == nil)
        #expect(record.cardLast4 == "5556")
        #expect(!record.fields.values.contains { $0.contains("4000056655665556") })
    }
}
