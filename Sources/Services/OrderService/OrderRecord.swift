import SagaEvents

/// The order service's record of one order: its state, and the read model clients are shown.
public struct OrderRecord: Record {
    /// One event of the order's history.
    public struct HistoryEntry: Codable, Sendable, Equatable {
        /// The event type.
        public var type: String
        /// The event id.
        public var id: String
        /// Who sent it.
        public var source: String
        /// When it happened (RFC 3339, UTC).
        public var time: String

        public init(type: String, id: String, source: String, time: String) {
            self.type = type
            self.id = id
            self.source = source
            self.time = time
        }
    }

    public var orderId: String
    public var customerId: String?
    public var status: OrderStatus
    /// Why the order was cancelled: a `StockRejection` or `PaymentFailure` raw value.
    public var reason: String?
    public var items: [OrderItem]
    /// The charged or chargeable amount in minor units, once known.
    public var amount: Int?
    public var currency: String?
    public var paymentId: String?
    /// The events seen and sent, in the order they were processed.
    public var history: [HistoryEntry]

    public init(orderId: String) {
        self.orderId = orderId
        self.status = .pending
        self.items = []
        self.history = []
    }

    /// Whether an event of this type is in the history.
    public func hasSeen(_ type: String) -> Bool {
        history.contains { $0.type == type }
    }
}
