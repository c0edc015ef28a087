import EventBus

/// The notification service's key namespace, `notification:…`.
public enum NotificationKeys {
    /// Which notifications one order has had: `notification:order:{p07}:<id>`, in the order's `Partition`.
    public static func order(_ orderID: String) -> String {
        "notification:order:\(Partition.tag(of: orderID)):\(orderID)"
    }
    /// A customer's messages, newest first, in the customer's own `Partition` (of the customer id):
    /// `redis-cli LRANGE 'notification:customer:{p12}:c-1' 0 -1`.
    public static func customer(_ customerID: String) -> String {
        "notification:customer:\(Partition.tag(of: customerID)):\(customerID)"
    }
    /// The templates delivered to a customer's list for one order, a hash beside the list (same partition):
    /// `notification:customer:{p12}:c-1:order:<orderId>`.
    public static func delivered(_ customerID: String, order orderID: String) -> String {
        "\(customer(customerID)):order:\(orderID)"
    }
}
