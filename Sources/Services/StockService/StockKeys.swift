/// The stock service's key namespace, `stock:…`.
public enum StockKeys {
    /// A SKU's hash: `available` and `reserved` units.
    public static func item(_ sku: String) -> String { "stock:item:\(sku)" }
    /// One order's reservation record.
    public static func reservation(_ orderID: String) -> String { "stock:reservation:\(orderID)" }
    /// Marks a SKU as seeded from the catalog, so a restart never seeds it again.
    public static func seeded(_ sku: String) -> String { "stock:seeded:\(sku)" }
}
