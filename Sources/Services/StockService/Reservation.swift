import SagaEvents

/// The stock service's record of one order.
public struct Reservation: Record {
    /// Where the order stands with the stock service.
    public enum Status: String, Codable, Sendable {
        /// Units are held for the order.
        case reserved
        /// The order was refused; nothing is held.
        case rejected
        /// The order was cancelled and its units given back.
        case released
        /// The order was confirmed; its units are sold.
        case sold
        /// The order was cancelled before it was seen: a late `order.created` reserves nothing.
        case cancelled
    }

    public var status: Status
    /// The units held or once held, one line per SKU.
    public var items: [OrderItem]

    public init(status: Status, items: [OrderItem] = []) {
        self.status = status
        self.items = items
    }
}
