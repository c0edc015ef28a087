/// One order a test sends as a bare `order.created` payload, and what should become of it.
struct TestOrder: Sendable, Hashable {
    /// The card the payment simulator accepts.
    static let goodCard = "4242424242424242"
    /// The card the payment simulator declines (`card_declined`).
    static let decliningCard = "4000000000000002"

    var id: String
    var sku = "BOOK-1"
    var quantity = 1
    var card = goodCard
    /// When set, the card is in the vault under this token (`CardVault.key(for:orderID:)`, written by the test as the
    /// ingress would) and the payload carries the token and the last four digits instead of the number.
    var vaultToken: String?

    /// The status the order must end in.
    var expectedStatus: String { card == Self.goodCard ? "confirmed" : "cancelled" }

    /// The payload, as a person types it after `redis-cli XADD order.created '*' event`.
    var payload: String {
        let payment = vaultToken.map { #"{"token":"\#($0)","last4":"\#(card.suffix(4))"}"# } ?? #"{"card":"\#(card)"}"#
        return #"{"orderId":"\#(id)","customerId":"c-\#(id)","items":[{"sku":"\#(sku)","quantity":\#(quantity)}],"#
            + #""payment":\#(payment)}"#
    }

    /// `count` orders of one BOOK-1 each, named `prefix-1`…; every `declineEvery`-th one pays with a
    /// declining card.
    static func batch(_ prefix: String, count: Int, declineEvery: Int? = nil) -> [TestOrder] {
        (1...count).map { number in
            let declined = declineEvery.map { number % $0 == 0 } ?? false
            return TestOrder(id: "\(prefix)-\(number)", card: declined ? decliningCard : goodCard)
        }
    }
}
