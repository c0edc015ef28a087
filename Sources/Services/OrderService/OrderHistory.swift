import EventBus
import SagaEvents
import Telemetry

/// An order's history as clients are shown it (`GET /orders/{id}`): the events the order service
/// processed and sent, read from the order's trace log rather than kept in its record, so the record
/// does not grow with every event.
public enum OrderHistory {
    /// One event of the order's history.
    public struct Entry: Codable, Sendable, Equatable {
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

    /// The event types that make an order's history: those the order service takes and sends.
    public static let types: Set<String> = Set(OrderService().subscriptions)
        .union([EventTypes.orderConfirmed, EventTypes.orderCancelled])

    /// The history in an order's trace log (already in causal order): the first event of each type the
    /// order service takes or sends, in log order.
    public static func entries(from trace: [CloudEvent]) -> [Entry] {
        var seen = Set<String>()
        return trace.filter { types.contains($0.type) && seen.insert($0.type).inserted }.map { event in
            Entry(type: event.type, id: event.id, source: event.source, time: RFC3339.string(from: event.time))
        }
    }
}
