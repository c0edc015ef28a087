import EventBus

/// The payment service's key namespace, `payment:…`.
public enum PaymentKeys {
    /// One order's payment record: `payment:{p07}:<id>`, in the order's `Partition`.
    public static func payment(_ orderID: String) -> String { "payment:\(Partition.tag(of: orderID)):\(orderID)" }
}
