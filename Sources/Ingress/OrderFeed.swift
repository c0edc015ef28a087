import EventBus
import SagaEvents

/// The final events of orders, for requests that wait until an order ends (`Prefer: wait`).
///
/// One watch of the two final channels feeds all waiting requests (not every channel: the ingress is
/// not sent the events no request waits for); a message is decoded only while someone waits or an order
/// of this ingress is pending, ends its pending place, and is handed to the subscribers of its correlation id.
actor OrderFeed {
    /// The channels watched: the events that end an order.
    static let channels = [EventTypes.orderConfirmed, EventTypes.orderCancelled]

    private let pending: PendingOrders
    private var subscribers: [String: [Int: AsyncStream<CloudEvent>.Continuation]] = [:]
    private var nextToken = 0

    /// Creates the feed.
    /// - Parameter pending: the orders this ingress accepted; each one's final event ends its place.
    init(pending: PendingOrders) {
        self.pending = pending
    }

    /// Feeds subscribers from `messages` until it ends or the task is cancelled.
    func run(_ messages: AsyncStream<InboundMessage>) async {
        for await message in messages where !subscribers.isEmpty || pending.current > 0 {
            guard let event = try? CloudEvent(decoding: message.payload, channel: message.channel),
                  let correlationID = event.correlationID
            else { continue }
            pending.end(correlationID)
            guard let listeners = subscribers[correlationID] else { continue }
            for continuation in listeners.values { continuation.yield(event) }
        }
    }

    /// The final events of one chain, from now until `unsubscribe(_:)`.
    func subscribe(_ correlationID: String) -> (token: Int, events: AsyncStream<CloudEvent>) {
        let (events, continuation) = AsyncStream<CloudEvent>.makeStream()
        nextToken += 1
        subscribers[correlationID, default: [:]][nextToken] = continuation
        return (nextToken, events)
    }

    /// Ends a subscription.
    func unsubscribe(_ correlationID: String, token: Int) {
        subscribers[correlationID]?.removeValue(forKey: token)?.finish()
        if subscribers[correlationID]?.isEmpty == true { subscribers[correlationID] = nil }
    }
}
