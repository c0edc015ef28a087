import EventBus
import SagaEvents

/// The stock service's record of one order, stored as the fields `status` and `items` (`ItemsField`).
public struct Reservation: Record {
    /// Where the order stands with the stock service.
    public enum Status: String, Sendable {
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

    public init(fields: RecordFields) throws(RecordError) {
        status = try fields.required("status", as: Status.self)
        items = try fields.items("items")
    }

    public var fields: [String: String] {
        items.isEmpty ? ["status": status.rawValue] : ["status": status.rawValue, "items": ItemsField.text(items)]
    }
}
