import EventBus

/// The notification service's key namespace, `notification:…`.
public enum NotificationKeys {
    /// Which notifications one order has had: `notification:order:{p07}:<id>`, in the order's `Partition`.
    public static func order(_ orderID: String) -> String {
        "notification:order:\(Partition.tag(of: orderID)):\(orderID)"
    }
    /// A customer's messages, newest first: `redis-cli LRANGE notification:customer:c-1 0 -1`.
    public static func customer(_ customerID: String) -> String { "notification:customer:\(customerID)" }
}
