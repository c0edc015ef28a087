import EventBus
import PaymentService
import Synchronization

/// The card vault in memory: what the ingress would have written, read as the payment service reads it.
final class MemoryCardVault: CardVaultReader {
    private let cards: Mutex<[String: String]>

    init(_ cards: [String: String] = [:]) {
        self.cards = Mutex(cards)
    }

    func card(forToken token: String) async throws(EventBusError) -> String? {
        cards.withLock { $0[token] }
    }
}
