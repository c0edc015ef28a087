import EventBus
import SagaEvents

/// The stock counters (`StockKeys.item`), shared by every order and kept in their own slot (`{stock}`), with
/// one stored answer per order (`StockKeys.answer`): the steps the stock service takes there before it
/// commits an order's record and events in the order's partition.
///
/// Each step is one atomic call (a Redis Function on Redis) and idempotent by order id: asked again, after a
/// crash between the step and the commit or for a redelivered event, it returns the order's answer as it
/// stands and moves no unit. So a reservation is exactly once although its commit may be tried again.
public protocol StockCounters: Sendable {
    /// Takes every line of `items` (one per SKU) at once if all are available, else none, and returns the
    /// order's answer: `reserved`, `rejected` (the first SKU short), or the answer it had already.
    /// - Throws: `EventBusError`, `.unavailable` when the counters cannot be reached (the runner tries
    ///   again), `.rejected` when they refuse.
    func reserve(orderID: String, items: [OrderItem]) async throws(EventBusError) -> StockAnswer

    /// Gives back what the order holds (`released`); marks an order that holds nothing yet as `cancelled`, so
    /// a reservation asked for later takes nothing; otherwise returns the answer as it stands.
    /// - Throws: `EventBusError` as `reserve`.
    func release(orderID: String) async throws(EventBusError) -> StockAnswer

    /// Sells what the order holds (`sold`: the units leave `reserved`), or returns the answer as it stands
    /// (`unknown` when there is none).
    /// - Throws: `EventBusError` as `reserve`.
    func sell(orderID: String) async throws(EventBusError) -> StockAnswer
}
