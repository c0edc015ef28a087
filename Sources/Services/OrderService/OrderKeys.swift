import EventBus

/// The order service's key namespace, `order:…`.
public enum OrderKeys {
    /// One order's record, which is also the read model `GET /orders/{id}` serves: `order:{p07}:<id>`, in the
    /// order's `Partition`.
    public static func order(_ orderID: String) -> String { "order:\(Partition.tag(of: orderID)):\(orderID)" }
}
