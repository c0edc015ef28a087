import Resilience
import SagaEvents

/// Protects the payment service from its provider, which stands for an external system: each charge
/// has a timeout, failed attempts are retried with backoff, and a circuit breaker stops calling a
/// provider that keeps failing, so payments fail fast (`provider_unavailable`) instead of piling up.
///
/// A decline is an answer, not a failure: it counts as a success for the breaker and is not retried.
public struct ResilientPaymentProvider: PaymentProvider {
    private let provider: any PaymentProvider
    private let breaker: CircuitBreaker
    private let timeout: Duration
    private let retries: Int
    /// Times every attempt's timeout with one timer, not a `Task.sleep` per charge.
    private let deadlines = DeadlineTimer()

    /// Wraps a provider.
    /// - Parameters:
    ///   - provider: the provider to protect.
    ///   - breaker: the breaker in front of it.
    ///   - timeout: how long one attempt may take.
    ///   - retries: attempts after the first one failed.
    public init(provider: any PaymentProvider, breaker: CircuitBreaker, timeout: Duration, retries: Int) {
        self.provider = provider
        self.breaker = breaker
        self.timeout = timeout
        self.retries = retries
    }

    public func charge(card: String, amount: Int, currency: String, idempotencyKey: String)
        async throws(PaymentProviderError) -> ChargeResult
    {
        var backoff = Backoff(initial: .milliseconds(50), maximum: .seconds(1))
        var lastError = PaymentProviderError("the provider was not called")
        for attempt in 0...retries {
            guard breaker.permit() else {
                throw PaymentProviderError("the circuit breaker \(breaker.name) is open: not calling the provider")
            }
            switch await attemptCharge(card: card, amount: amount, currency: currency, key: idempotencyKey) {
            case .success(let result):
                breaker.recordSuccess()
                return result
            case .failure(let error):
                breaker.recordFailure()
                lastError = error
            }
            if attempt < retries { try? await Task.sleep(for: backoff.next()) }
        }
        throw lastError
    }

    /// Passed on as it is: giving up on a charge must reach the provider even while the breaker is open.
    public func void(idempotencyKey: String) async throws(PaymentProviderError) {
        try await provider.void(idempotencyKey: idempotencyKey)
    }

    /// One attempt, raced against the timeout.
    private func attemptCharge(card: String, amount: Int, currency: String, key: String)
        async -> Result<ChargeResult, PaymentProviderError>
    {
        let (provider, timeout, deadlines) = (self.provider, self.timeout, self.deadlines)
        let deadline = ContinuousClock.now + timeout
        return await withTaskGroup(of: Result<ChargeResult, PaymentProviderError>.self) { group in
            group.addTask {
                do throws(PaymentProviderError) {
                    return .success(try await provider.charge(card: card, amount: amount, currency: currency,
                                                              idempotencyKey: key))
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                await deadlines.sleep(until: deadline)
                return .failure(PaymentProviderError("the provider did not answer within \(timeout)"))
            }
            let first = await group.next() ?? .failure(PaymentProviderError("no answer"))
            group.cancelAll()
            return first
        }
    }
}
