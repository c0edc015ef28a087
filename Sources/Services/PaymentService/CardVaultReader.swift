import EventBus

/// Where the payment service reads the card number of a vault token (`CardVault`).
public protocol CardVaultReader: Sendable {
    /// The card number kept under `token` for the order `orderID`; `nil` when there is none (it expired, or a
    /// settled charge deleted it).
    /// - Throws: `EventBusError` when the vault could not be read; nothing is known then.
    func card(forToken token: String, orderID: String) async throws(EventBusError) -> String?
}
