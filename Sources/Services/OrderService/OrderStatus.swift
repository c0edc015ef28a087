/// Where an order stands: `pending` → `reserved` → `confirmed` | `cancelled`.
public enum OrderStatus: String, Codable, Sendable, CaseIterable {
    case pending, reserved, confirmed, cancelled

    /// Whether the order is done.
    public var isFinal: Bool { self == .confirmed || self == .cancelled }
}
