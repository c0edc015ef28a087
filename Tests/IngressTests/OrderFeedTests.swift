import EventBus
@testable import Ingress
import SagaEvents
import Testing

/// `OrderFeed` and `OrderWaiter`: the final event of an order ends its waiters and its pending place,
/// without I/O.
@Suite("OrderFeed ends the waiters of an order by its final event")
struct OrderFeedTests {
    /// A final event of `orderID` as the transport delivers it.
    private static func final(_ type: String, of orderID: String) -> InboundMessage {
        let event = CloudEvent(source: "switchboard/order", type: type, correlationID: orderID,
                               data: ["orderId": .string(orderID)])
        return InboundMessage(channel: type, payload: event.encoded())
    }

    @Test("a final event ends every waiter of its order and its pending place, and no other order's")
    func finalEventEndsItsOrder() async {
        let pending = PendingOrders(limit: 4)
        let feed = OrderFeed(pending: pending)
        #expect(pending.take("o-1") && pending.take("o-2"))
        let first = feed.watch("o-1")
        let second = feed.watch("o-1")
        let other = feed.watch("o-2")
        #expect(feed.isWatching)

        let (messages, delivery) = AsyncStream<InboundMessage>.makeStream()
        delivery.yield(Self.final(EventTypes.orderConfirmed, of: "o-1"))
        delivery.finish()
        await feed.run(messages)

        #expect(await first.wait(within: .seconds(3600)))
        #expect(await second.wait(within: .seconds(3600)))
        #expect(pending.current == 1)
        feed.forget("o-1", first)
        feed.forget("o-1", second)
        #expect(feed.isWatching)  // o-2 still waits
        feed.forget("o-2", other)
        #expect(!feed.isWatching)
    }

    @Test("a waiting request is resumed by the final event that passes while it waits")
    func waitingRequestResumes() async {
        let feed = OrderFeed(pending: PendingOrders(limit: 1))
        let waiter = feed.watch("o-1")
        let (messages, delivery) = AsyncStream<InboundMessage>.makeStream()
        async let ended = waiter.wait(within: .seconds(3600))
        let running = Task { await feed.run(messages) }
        delivery.yield(Self.final(EventTypes.orderCancelled, of: "o-1"))
        #expect(await ended)
        delivery.finish()
        await running.value
    }

    @Test("a forgotten waiter is not ended, and a wait without the event gives up at its deadline")
    func forgottenWaiterTimesOut() async {
        let feed = OrderFeed(pending: PendingOrders(limit: 1))
        let waiter = feed.watch("o-1")
        feed.forget("o-1", waiter)
        let (messages, delivery) = AsyncStream<InboundMessage>.makeStream()
        delivery.yield(Self.final(EventTypes.orderConfirmed, of: "o-1"))
        delivery.finish()
        await feed.run(messages)
        #expect(await waiter.wait(within: .zero) == false)
    }

    @Test("one timer keeps every deadline: an earlier one re-arms it, a later one waits its turn")
    func deadlinesShareOneTimer() async {
        let feed = OrderFeed(pending: PendingOrders(limit: 1))
        let patient = feed.watch("o-1")
        let waiting = Task { await patient.wait(within: .seconds(3600)) }
        while feed.deadlines.count == 0 { await Task.yield() }
        // Armed for an hour: a request that waits for nothing must not wait that long.
        #expect(await feed.watch("o-2").wait(within: .zero) == false)
        let hurried = (0..<50).map { index in feed.watch("o-\(index + 3)") }
        await withTaskGroup(of: Bool.self) { group in
            for waiter in hurried { group.addTask { await waiter.wait(within: .milliseconds(1)) } }
            for await ended in group { #expect(ended == false) }
        }
        #expect(feed.deadlines.count == 1)

        let (messages, delivery) = AsyncStream<InboundMessage>.makeStream()
        delivery.yield(Self.final(EventTypes.orderConfirmed, of: "o-1"))
        delivery.finish()
        await feed.run(messages)
        #expect(await waiting.value)
        #expect(feed.deadlines.count == 0)
    }

    @Test("a cancelled request stops waiting")
    func cancelledRequestStopsWaiting() async {
        let waiter = OrderFeed(pending: PendingOrders(limit: 1)).watch("o-1")
        let request = Task { await waiter.wait(within: .seconds(3600)) }
        request.cancel()
        #expect(await request.value == false)
    }
}
