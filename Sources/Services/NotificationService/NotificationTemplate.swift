import SagaEvents

/// A message template: text with `{placeholders}` filled from the event.
///
/// Placeholders: `{orderId}`, `{customerId}`, `{amount}` (formatted as `12.50 USD`), `{reason}` (in words).
public struct NotificationTemplate: Sendable, Equatable {
    /// The template's name, sent as `template` in `notification.sent`.
    public var name: String
    /// The text.
    public var text: String

    public init(name: String, text: String) {
        self.name = name
        self.text = text
    }

    /// Sent when an order is confirmed.
    public static let orderConfirmed = NotificationTemplate(
        name: "order-confirmed",
        text: "Your order {orderId} is confirmed: {amount} charged. Thank you!"
    )

    /// Sent when an order is cancelled.
    public static let orderCancelled = NotificationTemplate(
        name: "order-cancelled",
        text: "Your order {orderId} was cancelled: {reason}. You have not been charged."
    )

    /// The text with every placeholder replaced.
    public func render(_ values: [String: String]) -> String {
        var output = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            output += rest[..<open]
            let name = String(rest[rest.index(after: open)..<close])
            output += values[name] ?? "{\(name)}"
            rest = rest[rest.index(after: close)...]
        }
        return output + rest
    }

    /// `1250`, `USD` → `12.50 USD`.
    public static func money(_ amount: Int, _ currency: String) -> String {
        let magnitude = amount.magnitude  // not abs(): abs(Int.min) traps
        let cents = magnitude % 100
        return "\(amount < 0 ? "-" : "")\(magnitude / 100).\(cents < 10 ? "0" : "")\(cents) \(currency)"
    }

    /// A cancellation reason code in words.
    public static func reason(_ code: String) -> String {
        switch code {
        case StockRejection.outOfStock.rawValue: "an item is out of stock"
        case StockRejection.unknownSKU.rawValue: "an item is not in our catalog"
        case StockRejection.invalidOrder.rawValue: "the order was not valid"
        case PaymentFailure.cardDeclined.rawValue: "the card was declined"
        case PaymentFailure.insufficientFunds.rawValue: "the card has insufficient funds"
        case PaymentFailure.invalidCard.rawValue: "the card number is not valid"
        case PaymentFailure.providerUnavailable.rawValue: "the payment provider is unavailable"
        default: code
        }
    }
}
