import PaymentService
import SagaEvents

/// A provider's ledger in memory, with the semantics of `RedisChargeLedger`: the first answer to a key
/// is kept and returned again, and every approval recorded is a charge made.
actor InMemoryChargeLedger: ChargeLedger {
    struct Charge: Equatable {
        var idempotencyKey: String
        var paymentID: String
        var amount: Int
    }

    /// Every charge made, in order.
    private(set) var charges: [Charge] = []
    /// Every charge refunded, in order.
    private(set) var refunds: [Charge] = []
    /// How many requests reached the ledger.
    private(set) var requests = 0
    private var answers: [String: (request: ChargeRequest, answer: ChargeResult)] = [:]
    private var voided: Set<String> = []

    func void(idempotencyKey: String) {
        guard voided.insert(idempotencyKey).inserted else { return }
        if let charge = charges.first(where: { $0.idempotencyKey == idempotencyKey }) { refunds.append(charge) }
    }

    func answer(_ request: ChargeRequest, verdict: ChargeResult) throws(PaymentProviderError) -> ChargeResult {
        requests += 1
        if voided.contains(request.idempotencyKey) { return .declined(.providerUnavailable) }
        if let first = answers[request.idempotencyKey] {
            guard first.request == request else {
                throw PaymentProviderError("the key \(request.idempotencyKey) was first used for another request")
            }
            return first.answer
        }
        answers[request.idempotencyKey] = (request, verdict)
        if case .approved(let paymentID) = verdict {
            charges.append(Charge(idempotencyKey: request.idempotencyKey, paymentID: paymentID, amount: request.amount))
        }
        return verdict
    }
}
