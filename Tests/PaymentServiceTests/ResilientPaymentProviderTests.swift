import PaymentService
import Resilience
import SagaEvents
import Testing

/// The provider's protection: a timeout per attempt, retries of failures, a breaker that stops calling a
/// provider that keeps failing, and a decline that is an answer, not a failure.
@Suite struct ResilientPaymentProviderTests {
    /// A provider that gives its scripted answers in turn (the last one for ever) and counts its calls.
    actor ScriptedProvider: PaymentProvider {
        private var script: [Result<ChargeResult, PaymentProviderError>]
        private let delay: Duration
        private(set) var calls = 0

        init(_ script: [Result<ChargeResult, PaymentProviderError>], delay: Duration = .zero) {
            self.script = script
            self.delay = delay
        }

        func charge(card: String, amount: Int, currency: String, idempotencyKey: String)
            async throws(PaymentProviderError) -> ChargeResult
        {
            calls += 1
            if delay > .zero { try? await Task.sleep(for: delay) }
            let answer = script.count > 1 ? script.removeFirst() : script[0]
            return try answer.get()
        }

        private(set) var voids = 0

        func void(idempotencyKey: String) {
            voids += 1
        }
    }

    static let down = Result<ChargeResult, PaymentProviderError>.failure(PaymentProviderError("down"))
    static let approved = Result<ChargeResult, PaymentProviderError>.success(.approved(paymentID: "pay_1"))

    func resilient(_ provider: ScriptedProvider, threshold: Int = 10, timeout: Duration = .seconds(30),
                   retries: Int = 2) -> (ResilientPaymentProvider, CircuitBreaker) {
        let breaker = CircuitBreaker(name: "test", failureThreshold: threshold, coolDown: .seconds(3600))
        return (ResilientPaymentProvider(provider: provider, breaker: breaker, timeout: timeout, retries: retries),
                breaker)
    }

    func charge(_ provider: ResilientPaymentProvider) async throws(PaymentProviderError) -> ChargeResult {
        try await provider.charge(card: "4242424242424242", amount: 100, currency: "USD", idempotencyKey: "o-1")
    }

    @Test func failedAttemptsAreRetriedUntilOneAnswers() async throws {
        let scripted = ScriptedProvider([Self.down, Self.down, Self.approved])
        let (provider, _) = resilient(scripted, retries: 2)
        #expect(try await charge(provider) == .approved(paymentID: "pay_1"))
        #expect(await scripted.calls == 3)
    }

    @Test func afterTheLastRetryTheFailureIsThrown() async throws {
        let scripted = ScriptedProvider([Self.down])
        let (provider, _) = resilient(scripted, retries: 2)
        await #expect(throws: PaymentProviderError("down")) { try await charge(provider) }
        #expect(await scripted.calls == 3)
    }

    @Test func aDeclineIsAnAnswerNotRetriedAndKeepsTheBreakerClosed() async throws {
        let scripted = ScriptedProvider([.success(.declined(.cardDeclined))])
        let (provider, breaker) = resilient(scripted, threshold: 2, retries: 2)
        for _ in 0..<5 {
            #expect(try await charge(provider) == .declined(.cardDeclined))
        }
        #expect(await scripted.calls == 5)
        #expect(breaker.state == .closed)
    }

    @Test func anAttemptSlowerThanTheTimeoutFailsAndIsRetried() async throws {
        let scripted = ScriptedProvider([Self.approved], delay: .seconds(3600))
        let (provider, _) = resilient(scripted, timeout: .milliseconds(20), retries: 1)
        do {
            _ = try await charge(provider)
            Issue.record("a provider that never answers was taken for an answer")
        } catch {
            #expect(error.message.contains("did not answer within"), "\(error)")
        }
        #expect(await scripted.calls == 2)
    }

    @Test func anOpenBreakerFailsWithoutCallingTheProvider() async throws {
        let scripted = ScriptedProvider([Self.down])
        let (provider, breaker) = resilient(scripted, threshold: 2, retries: 0)
        for _ in 0..<2 {
            await #expect(throws: PaymentProviderError.self) { try await charge(provider) }
        }
        #expect(breaker.state == .open)
        do {
            _ = try await charge(provider)
            Issue.record("an open breaker let a charge through")
        } catch {
            #expect(error.message.contains("circuit breaker test is open"), "\(error)")
        }
        #expect(await scripted.calls == 2)
    }
}
