import EventBus
import Telemetry
import Testing

/// `BoundedInbox`: what a pub/sub subscription holds for a consumer that falls behind.
@Suite("BoundedInbox")
struct BoundedInboxTests {
    static func message(_ index: Int) -> InboundMessage {
        InboundMessage(channel: "order.created", payload: Array("m\(index)".utf8))
    }

    @Test("a full inbox drops the newest messages and counts them; the waiting ones keep their order")
    func dropsBeyondCapacity() async {
        let metrics = MetricsRegistry()
        let inbox = BoundedInbox(capacity: 3, name: "stock", logger: .disabled, metrics: metrics)
        let taken = (1...5).map { inbox.offer(Self.message($0)) }
        #expect(taken == [true, true, true, false, false])
        #expect(metrics.value("switchboard_pubsub_dropped_total", labels: ["subscriber": "stock"]) == 2)

        var iterator = inbox.messages.makeAsyncIterator()
        var first: [InboundMessage] = []
        for _ in 1...3 { if let message = await iterator.next() { first.append(message) } }
        #expect(first == (1...3).map(Self.message))

        // Taking messages makes room again; finishing ends the stream after what waits.
        #expect(inbox.offer(Self.message(6)))
        inbox.finish()
        #expect(await iterator.next() == Self.message(6))
        #expect(await iterator.next() == nil)
        #expect(!inbox.offer(Self.message(7)))
        #expect(metrics.value("switchboard_pubsub_dropped_total", labels: ["subscriber": "stock"]) == 2)
    }
}
