import SagaEvents

/// The stock service's decisions, without I/O: what an event does to an order's reservation.
///
/// | record      | order.created                 | order.cancelled | order.confirmed |
/// |-------------|-------------------------------|-----------------|-----------------|
/// | none        | reserve, or reject            | release         | nothing         |
/// | reserved    | nothing (duplicate)           | release         | sell            |
/// | other       | nothing                       | nothing         | nothing         |
///
/// Reserving, releasing and selling are steps on the stock counters (`StockCounters`), whose answer the
/// service then commits: whether every item is in stock is only known there, and a release of an order
/// not seen yet marks it there so that a late `order.created` reserves nothing.
public struct StockMachine: Sendable {
    /// What to do.
    public enum Action: Sendable, Equatable {
        /// Reserve every item (merged per SKU) at once, then announce `reserved`; if an item is short,
        /// reject the order as `out_of_stock` for that SKU instead.
        case reserve(items: [OrderItem], reserved: StockReserved)
        /// Refuse the order without touching stock.
        case reject(StockRejected)
        /// Give back what the order holds, or mark it cancelled if it holds nothing yet.
        case release
        /// A confirmed order's units leave `reserved` for good.
        case sell
        /// Nothing changes (a duplicate, or an event that no longer matters).
        case nothing
    }

    /// The largest quantity of one line (the contract's, `PayloadRules.quantities`), so an order's amount can
    /// never overflow.
    public static let maximumQuantity = PayloadRules.quantities.upperBound

    public let catalog: Catalog

    public init(catalog: Catalog) {
        self.catalog = catalog
    }

    /// `order.created`: reserve, or reject as `invalid_order` / `unknown_sku`.
    public func orderCreated(_ order: OrderCreated, reservation: Reservation?) -> Action {
        guard reservation == nil else { return .nothing }
        let invalid = StockMachine.Action.reject(StockRejected(orderId: order.orderId, reason: .invalidOrder))
        guard !order.customerId.isEmpty, !order.items.isEmpty,
              order.items.allSatisfy({ !$0.sku.isEmpty && PayloadRules.quantities.contains($0.quantity) })
        else { return invalid }
        var merged: [OrderItem] = []
        for item in order.items {
            if let index = merged.firstIndex(where: { $0.sku == item.sku }) {
                merged[index].quantity += item.quantity
            } else {
                merged.append(item)
            }
        }
        // The limit holds per SKU after merging, so lines of one SKU cannot add up past it.
        guard merged.allSatisfy({ $0.quantity <= Self.maximumQuantity }) else { return invalid }
        var priced: [PricedItem] = []
        var amount = 0
        for item in merged {
            guard let product = catalog.item(item.sku) else {
                return .reject(StockRejected(orderId: order.orderId, reason: .unknownSKU, sku: item.sku))
            }
            priced.append(PricedItem(sku: item.sku, quantity: item.quantity, unitPrice: product.price))
            amount += item.quantity * product.price
        }
        let reserved = StockReserved(orderId: order.orderId, customerId: order.customerId, items: priced,
                                     amount: amount, currency: catalog.currency)
        return .reserve(items: merged, reserved: reserved)
    }

    /// `order.cancelled`: release what is held, or remember a cancellation that came first.
    public func orderCancelled(reservation: Reservation?) -> Action {
        switch reservation?.status {
        case nil, .reserved: .release
        case .rejected, .released, .sold, .cancelled: .nothing
        }
    }

    /// `order.confirmed`: the held units are sold.
    public func orderConfirmed(reservation: Reservation?) -> Action {
        reservation?.status == .reserved ? .sell : .nothing
    }
}
