import EventBus

/// Where a card number waits for its charge, so it never travels on the bus nor stays at rest.
///
/// The ingress writes the card of each order it accepts to `vault:card:{p07}:<token>` (a string, the card
/// number; the hash tag is the order's `Partition`, so the accept step's keys share one Redis Cluster slot)
/// in its accept step, expiring after `retentionSeconds`, and publishes `order.created` with the token and
/// the last four digits (`PaymentDetails`). The payment service reads the entry just before it charges and
/// deletes it in the commit that settles the charge, approved or not, or that voids the payment. Only the
/// payment user may read these keys and only the ingress user may write them (`switchboard acl`).
public enum CardVault {
    /// The prefix of every vault key.
    public static let keyPrefix = "vault:card:"
    /// How long an entry is kept when no charge settles it: fifteen minutes, time enough for an order to
    /// be reserved and charged, retries included.
    public static let retentionSeconds = 15 * 60

    /// The key of `token`'s entry for the order `orderID`: `vault:card:{p07}:<token>`, in the order's partition.
    public static func key(for token: String, orderID: String) -> String {
        "\(keyPrefix)\(Partition.tag(of: orderID)):\(token)"
    }

    /// A new token: `tok_` and 32 random hex digits.
    public static func newToken() -> String {
        RandomIdentifier.compact(prefix: "tok_")
    }
}
