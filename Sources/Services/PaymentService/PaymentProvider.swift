import SagaEvents

/// An external card provider, as the payment service sees it.
public protocol PaymentProvider: Sendable {
    /// Charges `amount` to `card`.
    /// - Parameters:
    ///   - card: the card number.
    ///   - amount: minor units.
    ///   - currency: ISO 4217 code.
    ///   - idempotencyKey: the same key charges at most once at the provider (the order id).
    /// - Returns: the provider's verdict.
    /// - Throws: `PaymentProviderError` when the provider could not be reached or failed.
    func charge(card: String, amount: Int, currency: String, idempotencyKey: String)
        async throws(PaymentProviderError) -> ChargeResult

    /// Gives up on the charge of `idempotencyKey`, whatever became of it: a charge made is refunded, and
    /// one not made yet never will be (later requests with the key are declined). Called when a charge
    /// failed without an answer, since the provider may have charged before the answer was lost.
    /// - Throws: `PaymentProviderError` when the provider could not be reached; nothing is known then.
    func void(idempotencyKey: String) async throws(PaymentProviderError)
}

/// What a provider answered.
public enum ChargeResult: Sendable, Equatable {
    /// Charged; the provider's payment id.
    case approved(paymentID: String)
    /// Refused, with the reason.
    case declined(PaymentFailure)
}

/// The provider could not give a verdict.
public struct PaymentProviderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
