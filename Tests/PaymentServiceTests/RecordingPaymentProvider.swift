import PaymentService
import SagaEvents

/// A provider that answers with a fixed verdict (or error) and records every charge asked of it.
actor RecordingPaymentProvider: PaymentProvider {
    struct Charge: Equatable {
        var card: String
        var amount: Int
        var currency: String
        var idempotencyKey: String
    }

    private(set) var charges: [Charge] = []
    private let answer: Result<ChargeResult, PaymentProviderError>

    init(answer: Result<ChargeResult, PaymentProviderError> = .success(.approved(paymentID: "pay_1"))) {
        self.answer = answer
    }

    func charge(card: String, amount: Int, currency: String, idempotencyKey: String)
        async throws(PaymentProviderError) -> ChargeResult
    {
        charges.append(Charge(card: card, amount: amount, currency: currency, idempotencyKey: idempotencyKey))
        return try answer.get()
    }

    /// The keys voided, in order.
    private(set) var voided: [String] = []

    func void(idempotencyKey: String) {
        voided.append(idempotencyKey)
    }
}
