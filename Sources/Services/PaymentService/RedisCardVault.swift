import EventBus
import RedisClient
import SagaEvents

/// The `CardVault` on Redis: one `GET vault:card:{p07}:<token>` before a charge. The entries are written by the
/// ingress's accept step and deleted by the commit that settles the charge.
public struct RedisCardVault: CardVaultReader {
    private let client: RedisClient

    /// Creates the reader.
    /// - Parameter client: a connection as the payment service's user, the only one allowed to read the vault.
    public init(client: RedisClient) {
        self.client = client
    }

    public func card(forToken token: String, orderID: String) async throws(EventBusError) -> String? {
        let key = CardVault.key(for: token, orderID: orderID)
        do {
            return try await client.send(RedisCommand("GET", key).routed(by: key)).string
        } catch {
            throw EventBusError(error.isTransient ? .unavailable : .rejected, error.message)
        }
    }
}
