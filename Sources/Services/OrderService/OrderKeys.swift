/// The order service's key namespace, `order:…`.
public enum OrderKeys {
    /// One order's record, which is also the read model `GET /orders/{id}` serves.
    public static func order(_ orderID: String) -> String { "order:\(orderID)" }
}
