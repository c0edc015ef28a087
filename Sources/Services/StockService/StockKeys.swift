import EventBus

/// The stock service's key namespace, `stock:…`.
///
/// The counters are shared by every order, so they are not in an order's `Partition`: they share the hash tag
/// `{stock}` (one Redis Cluster slot), as a reservation checks and takes several SKUs in one atomic step.
/// A reservation record is the order's, in its partition; each order's answer of the counters
/// (`StockCounters`) is in the counters' slot, so the stock service takes the units there first and then
/// commits its record in the order's partition (docs/cluster.md says what this costs on a cluster).
public enum StockKeys {
    /// The hash tag of the counters' slot.
    public static let counterTag = "{stock}"
    /// A SKU's hash: `available` and `reserved` units, `stock:{stock}:item:<sku>`.
    public static func item(_ sku: String) -> String { "stock:\(counterTag):item:\(sku)" }
    /// One order's reservation record: `stock:reservation:{p07}:<id>`, in the order's `Partition`.
    public static func reservation(_ orderID: String) -> String {
        "stock:reservation:\(Partition.tag(of: orderID)):\(orderID)"
    }
    /// One order's answer of the counters (`StockAnswer`): `stock:{stock}:answer:<id>`, in the counters' slot.
    public static func answer(_ orderID: String) -> String { "stock:\(counterTag):answer:\(orderID)" }
    /// Marks a SKU as seeded from the catalog, so a restart never seeds it again: `stock:{stock}:seeded:<sku>`.
    public static func seeded(_ sku: String) -> String { "stock:\(counterTag):seeded:\(sku)" }
}
