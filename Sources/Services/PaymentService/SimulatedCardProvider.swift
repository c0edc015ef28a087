#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import EventBus
import SagaEvents

/// A card provider simulated with the well-known test cards, with configurable latency and failure rate
/// so that timeouts, retries and the circuit breaker can be exercised.
///
/// `4242424242424242` succeeds, `4000000000000002` is declined, `4000000000009995` has insufficient
/// funds, any other string of 12 to 19 digits succeeds, and anything else is an invalid card.
public struct SimulatedCardProvider: PaymentProvider {
    /// How the simulation behaves; may change while it runs.
    public let behaviour: SimulatorBehaviour

    /// Creates a provider whose behaviour may change while it runs.
    /// - Parameter behaviour: latency and failure rate, adjustable while running.
    public init(behaviour: SimulatorBehaviour) {
        self.behaviour = behaviour
    }

    /// Creates a provider with a fixed behaviour.
    /// - Parameters:
    ///   - latency: how long each charge takes.
    ///   - failureRate: the share of charges, from 0 to 1, that fail as if the provider were down.
    public init(latency: Duration = .zero, failureRate: Double = 0) {
        self.init(behaviour: SimulatorBehaviour(latency: latency, failureRate: failureRate))
    }

    /// How long each charge takes now.
    public var latency: Duration { behaviour.latency }

    /// The share of charges that fail now.
    public var failureRate: Double { behaviour.failureRate }

    public func charge(card: String, amount: Int, currency: String, idempotencyKey: String)
        async throws(PaymentProviderError) -> ChargeResult
    {
        let (latency, failureRate) = (behaviour.latency, behaviour.failureRate)
        if latency > .zero {
            try? await Task.sleep(for: latency)
        }
        if failureRate > 0, Double.random(in: 0..<1) < failureRate {
            throw PaymentProviderError("the simulated provider failed (failure rate \(failureRate))")
        }
        return Self.verdict(for: card)
    }

    /// The test cards' verdicts, without latency or failures.
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
