import SagaEvents

/// Where a card provider keeps its side of the money: the answer it gave to each idempotency key, and
/// every charge it actually made.
///
/// A real card API dedupes by idempotency key: a request with a key it has already answered gets the
/// first answer again (the same payment id) and charges nothing. The simulated provider does the same
/// through its ledger, so a payment service that asks twice for one order is caught, or shown harmless,
/// by what the ledger holds rather than by the events the service emits.
public protocol ChargeLedger: Sendable {
    /// Records `verdict` as the answer to `request`, unless its idempotency key already has an answer, and
    /// returns the answer the key has now. An approval recorded here is a charge made; one returned from an
    /// earlier request is not a new one.
    /// - Throws: `PaymentProviderError` when the ledger cannot be reached, or when the key was first used for
    ///   another card, amount or currency (a real API refuses such a request too).
    func answer(_ request: ChargeRequest, verdict: ChargeResult) async throws(PaymentProviderError) -> ChargeResult

    /// Voids the key: refunds its charge if it made one (once), else answers every later request with it
    /// with a decline (`provider_unavailable`), so it never charges.
    /// - Throws: `PaymentProviderError` when the ledger cannot be reached.
    func void(idempotencyKey: String) async throws(PaymentProviderError)
}

/// One request to charge a card.
public struct ChargeRequest: Sendable, Equatable {
    /// The card number.
    public var card: String
    /// Minor units.
    public var amount: Int
    /// ISO 4217 code.
    public var currency: String
    /// The same key charges at most once.
    public var idempotencyKey: String

    public init(card: String, amount: Int, currency: String, idempotencyKey: String) {
        self.card = card
        self.amount = amount
        self.currency = currency
        self.idempotencyKey = idempotencyKey
    }
}
