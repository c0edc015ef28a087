import SagaEvents

/// What the stock counters hold for one order (`StockCounters`): where its units stand in the counters'
/// own slot. Each order has one answer, which only moves forward: from none to `reserved`, `rejected` or
/// `cancelled`, and from `reserved` to `released` or `sold`. A step asked again returns the answer as it
/// stands, so no step takes or gives back units twice.
public enum StockAnswer: Sendable, Equatable {
    /// The units are held for the order.
    case reserved([OrderItem])
    /// The order was refused, this SKU being the first short; nothing is held.
    case rejected(sku: String)
    /// The held units were given back.
    case released([OrderItem])
    /// The held units are sold.
    case sold([OrderItem])
    /// Released before anything was reserved: a reservation asked for later takes nothing.
    case cancelled
    /// No answer: a sale asked for an order the counters never reserved (one reserved before the counters
    /// kept answers); nothing moved.
    case unknown

    /// The answer's state and detail as the counters store them: `reserved`, `released` and `sold` with the
    /// units (`ItemsField`), `rejected` with the SKU.
    public var stored: (state: String, detail: String) {
        switch self {
        case .reserved(let items): ("reserved", ItemsField.text(items))
        case .rejected(let sku): ("rejected", sku)
        case .released(let items): ("released", ItemsField.text(items))
        case .sold(let items): ("sold", ItemsField.text(items))
        case .cancelled: ("cancelled", "")
        case .unknown: ("unknown", "")
        }
    }

    /// The answer stored as `state` and `detail`.
    /// - Throws: `StockCountersError` for a state or units it does not know.
    public init(state: String, detail: String) throws(StockCountersError) {
        func items() throws(StockCountersError) -> [OrderItem] {
            guard let items = ItemsField.items(from: detail) else {
                throw StockCountersError("the stock counters hold units that are not order lines: \(detail)")
            }
            return items
        }
        switch state {
        case "reserved": self = .reserved(try items())
        case "rejected": self = .rejected(sku: detail)
        case "released": self = .released(try items())
        case "sold": self = .sold(try items())
        case "cancelled": self = .cancelled
        case "unknown": self = .unknown
        default: throw StockCountersError("the stock counters answered an unknown state \(state)")
        }
    }
}
