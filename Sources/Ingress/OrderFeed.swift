import EventBus
import Resilience
import SagaEvents
import Synchronization

/// The final events of orders, for requests that wait until an order ends (`Prefer: wait`).
///
/// One watch of the two final channels feeds all waiting requests (not every channel: the ingress is
/// not sent the events no request waits for); a message is decoded only while someone waits or an order
/// of this ingress is pending, ends its pending place, and ends the `OrderWaiter`s of its correlation id.
final class OrderFeed: Sendable {
    /// The channels watched: the events that end an order.
    static let channels = [EventTypes.orderConfirmed, EventTypes.orderCancelled]

    private let pending: PendingOrders
    /// The waiters of each order not ended yet; an order's final event takes them out.
    private let waiters = Mutex<[String: [OrderWaiter]]>([:])
    /// When the waiters give up.
    let deadlines = DeadlineTimer()

    /// Creates the feed.
    /// - Parameter pending: the orders this ingress accepted; each one's final event ends its place.
    init(pending: PendingOrders) {
        self.pending = pending
    }

    /// Feeds waiters from `messages` until it ends or the task is cancelled.
    func run(_ messages: AsyncStream<InboundMessage>) async {
        for await message in messages where isWatching || pending.current > 0 {
            guard let event = try? CloudEvent(decoding: message.payload, channel: message.channel),
                  let correlationID = event.correlationID
            else { continue }
            pending.end(correlationID)
            let ended = waiters.withLock { $0.removeValue(forKey: correlationID) }
            ended?.forEach { $0.end() }
        }
    }

    /// A waiter ended by the final event of one chain that passes from now on; `forget(_:_:)` it when done.
    func watch(_ correlationID: String) -> OrderWaiter {
        let waiter = OrderWaiter(deadlines: deadlines)
        waiters.withLock { $0[correlationID, default: []].append(waiter) }
        return waiter
    }

    /// Stops feeding a waiter (it may have ended already).
    func forget(_ correlationID: String, _ waiter: OrderWaiter) {
        waiters.withLock { waiters in
            waiters[correlationID]?.removeAll { $0 === waiter }
            if waiters[correlationID]?.isEmpty == true { waiters[correlationID] = nil }
        }
    }

    /// Whether any request waits.
    var isWatching: Bool {
        waiters.withLock { !$0.isEmpty }
    }
}
