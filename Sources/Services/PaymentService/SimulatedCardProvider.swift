#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import EventBus
import SagaEvents

/// A card provider simulated with the well-known test cards, with configurable latency and failure rate
/// so that timeouts, retries and the circuit breaker can be exercised, and an idempotency-keyed ledger
/// (`ChargeLedger`) so that it behaves like a real card API.
///
/// `4242424242424242` succeeds, `4000000000000002` is declined, `4000000000009995` has insufficient
/// funds, any other string of 12 to 19 digits succeeds, and anything else is an invalid card.
///
/// A request goes through three steps, as one to a real provider does:
/// 1. it travels for `latency`; a caller that gives up meanwhile (a timeout cancels the task) never
///    reaches the provider, and a request that falls in the `failureRate` fails: nothing is charged;
/// 2. the provider answers from its ledger: the first answer to the idempotency key if it has one (the
///    same payment id, no new charge), else the card's verdict, recorded (an approval is a charge);
/// 3. the answer travels back for `answerDelay`: a caller that dies or gives up then has been charged
///    without knowing it, and must ask again with the same key to learn the payment id.
public struct SimulatedCardProvider: PaymentProvider {
    /// How the simulation behaves; may change while it runs.
    public let behaviour: SimulatorBehaviour
    private let ledger: any ChargeLedger

    /// Creates a provider whose behaviour may change while it runs.
    /// - Parameters:
    ///   - behaviour: latency, failure rate and answer delay, adjustable while running.
    ///   - ledger: where answers and charges are kept.
    public init(behaviour: SimulatorBehaviour, ledger: any ChargeLedger) {
        self.behaviour = behaviour
        self.ledger = ledger
    }

    /// Creates a provider with a fixed behaviour.
    /// - Parameters:
    ///   - latency: how long each request takes to reach the provider.
    ///   - failureRate: the share of requests, from 0 to 1, that fail as if the provider were down.
    ///   - answerDelay: how long each answer takes to come back.
    ///   - ledger: where answers and charges are kept.
    public init(latency: Duration = .zero, failureRate: Double = 0, answerDelay: Duration = .zero,
                ledger: any ChargeLedger) {
        self.init(behaviour: SimulatorBehaviour(latency: latency, failureRate: failureRate, answerDelay: answerDelay),
                  ledger: ledger)
    }

    /// How long each request takes now.
    public var latency: Duration { behaviour.latency }

    /// The share of requests that fail now.
    public var failureRate: Double { behaviour.failureRate }

    public func charge(card: String, amount: Int, currency: String, idempotencyKey: String)
        async throws(PaymentProviderError) -> ChargeResult
    {
        let (latency, failureRate, answerDelay) = (behaviour.latency, behaviour.failureRate, behaviour.answerDelay)
        if latency > .zero {
            try? await Task.sleep(for: latency)
        }
        if Task.isCancelled {
            throw PaymentProviderError("the request was abandoned before it reached the simulated provider")
        }
        if failureRate > 0, Double.random(in: 0..<1) < failureRate {
            throw PaymentProviderError("the simulated provider failed (failure rate \(failureRate))")
        }
        let request = ChargeRequest(card: card, amount: amount, currency: currency, idempotencyKey: idempotencyKey)
        let answer = try await ledger.answer(request, verdict: Self.verdict(for: card))
        if answerDelay > .zero {
            try? await Task.sleep(for: answerDelay)
        }
        return answer
    }

    /// Voids the key in the ledger, without latency or failures: the caller gives up on a charge.
    public func void(idempotencyKey: String) async throws(PaymentProviderError) {
        try await ledger.void(idempotencyKey: idempotencyKey)
    }

    /// The test cards' verdicts, each approval with a new payment id; without latency, failures or ledger.
    public static func verdict(for card: String) -> ChargeResult {
        switch card {
        case "4000000000000002": return .declined(.cardDeclined)
        case "4000000000009995": return .declined(.insufficientFunds)
        default:
            guard (12...19).contains(card.count), card.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                return .declined(.invalidCard)
            }
            return .approved(paymentID: RandomIdentifier.compact(prefix: "pay_"))
        }
    }
}
