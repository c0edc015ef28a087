/// The payment service's key namespace, `payment:…`.
public enum PaymentKeys {
    /// One order's payment record.
    public static func payment(_ orderID: String) -> String { "payment:\(orderID)" }
}
