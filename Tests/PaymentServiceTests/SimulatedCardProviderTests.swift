import PaymentService
import SagaEvents
import Testing

@Suite struct SimulatedCardProviderTests {
    @Test(arguments: [
        ("4000000000000002", PaymentFailure.cardDeclined),
        ("4000000000009995", .insufficientFunds),
        ("42424242424", .invalidCard),  // 11 digits
        ("42424242424242424242", .invalidCard),  // 20 digits
        ("4242abcd42424242", .invalidCard),
        ("4242 4242 4242 4242", .invalidCard),
        ("4242-4242-4242-4242", .invalidCard),
        ("", .invalidCard),
        ("٤٢٤٢٤٢٤٢٤٢٤٢٤٢٤٢", .invalidCard),  // digits, but not ASCII ones
        ("４２４２４２４２４２４２４２４２", .invalidCard),  // full-width digits
    ])
    func declinedCards(card: String, reason: PaymentFailure) {
        #expect(SimulatedCardProvider.verdict(for: card) == .declined(reason))
    }

    @Test(arguments: [
        "4242424242424242",
        "424242424242",  // 12 digits
        "4242424242424242424",  // 19 digits
        "5555555555554444",
    ])
    func approvedCards(card: String) throws {
        guard case .approved(let paymentID) = SimulatedCardProvider.verdict(for: card) else {
            Issue.record("\(card) should be approved")
            return
        }
        #expect(paymentID.hasPrefix("pay_"))
        #expect(paymentID.count > "pay_".count)
    }

    @Test func everyApprovalHasItsOwnPaymentID() {
        let ids = (0..<20).map { _ in SimulatedCardProvider.verdict(for: "4242424242424242") }
        #expect(Set(ids.map { "\($0)" }).count == 20)
    }

    @Test func aFailureRateOfOneAlwaysThrows() async {
        let provider = SimulatedCardProvider(failureRate: 1, ledger: InMemoryChargeLedger())
        for _ in 0..<10 {
            await #expect(throws: PaymentProviderError.self) {
                try await provider.charge(card: "4242424242424242", amount: 100, currency: "USD",
                                          idempotencyKey: "o-1")
            }
        }
    }

    @Test func aFailureRateOfZeroGivesTheCardsVerdict() async throws {
        let provider = SimulatedCardProvider(failureRate: 0, ledger: InMemoryChargeLedger())
        let declined = try await provider.charge(card: "4000000000009995", amount: 100, currency: "USD",
                                                 idempotencyKey: "o-1")
        #expect(declined == .declined(.insufficientFunds))
        let approved = try await provider.charge(card: "4242424242424242", amount: 100, currency: "USD",
                                                 idempotencyKey: "o-2")
        guard case .approved = approved else {
            Issue.record("expected an approval, got \(approved)")
            return
        }
    }

    @Test(arguments: [(-0.5, 0.0), (0.25, 0.25), (7.0, 1.0)])
    func theFailureRateIsClampedToZeroThroughOne(given: Double, kept: Double) {
        #expect(SimulatedCardProvider(failureRate: given, ledger: InMemoryChargeLedger()).failureRate == kept)
    }

    @Test func aChargeTakesAtLeastTheLatency() async throws {
        let provider = SimulatedCardProvider(latency: .milliseconds(50), ledger: InMemoryChargeLedger())
        let clock = ContinuousClock()
        let started = clock.now
        _ = try await provider.charge(card: "4242424242424242", amount: 1, currency: "USD", idempotencyKey: "o-1")
        #expect(clock.now - started >= .milliseconds(50))
    }
}
