import EventBus
import PaymentService
import Synchronization

/// The card vault in memory: what the ingress would have written, read as the payment service reads it.
final class MemoryCardVault: CardVaultReader {
    private let cards: Mutex<[String: String]>

    init(_ cards: [String: String] = [:]) {
        self.cards = Mutex(cards)
    }

    func card(forToken token: String, orderID: String) async throws(EventBusError) -> String? {
        cards.withLock { $0[token] }
    }
}

/// A vault that refuses every read, as Redis does a user without the right to read it.
struct RefusingCardVault: CardVaultReader {
    func card(forToken token: String, orderID: String) async throws(EventBusError) -> String? {
        throw EventBusError(.rejected, "NOPERM this user has no permissions to access the 'vault:card:tok_1' key")
    }
}
