import EventBus
import Foundation
import Synchronization
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

    @Test("a consumer waiting for a message gets the next one offered; finishing wakes it with the end")
    func handsOverToAWaitingConsumer() async {
        let inbox = BoundedInbox(capacity: 4, name: "order", logger: .disabled, metrics: nil)
        let ended = Atomic<Int>(0)
        inbox.onTermination { ended.add(1, ordering: .relaxed) }
        let consumer = Task { () -> [InboundMessage] in
            var taken: [InboundMessage] = []
            for await message in inbox.messages { taken.append(message) }
            return taken
        }
        for index in 1...3 {
            // Give the consumer time to suspend, so that some messages are handed over rather than queued.
            try? await Task.sleep(for: .milliseconds(20))
            #expect(inbox.offer(Self.message(index)))
        }
        try? await Task.sleep(for: .milliseconds(20))
        inbox.finish()
        #expect(await consumer.value == (1...3).map(Self.message))
        #expect(ended.load(ordering: .relaxed) == 1)
        #expect(!inbox.offer(Self.message(4)))
    }

    @Test("cancelling the consumer ends the inbox: nil at once, what waits is dropped, the handler runs once")
    func cancellationEndsTheInbox() async {
        let suspended = BoundedInbox(capacity: 4, name: "order", logger: .disabled, metrics: nil)
        let ended = Atomic<Int>(0)
        suspended.onTermination { ended.add(1, ordering: .relaxed) }
        let consumer = Task { await suspended.next() }
        try? await Task.sleep(for: .milliseconds(20))
        consumer.cancel()
        #expect(await consumer.value == nil)
        #expect(ended.load(ordering: .relaxed) == 1)
        #expect(!suspended.offer(Self.message(1)))

        // A consumer already cancelled gets nil even while messages wait.
        let waiting = BoundedInbox(capacity: 4, name: "order", logger: .disabled, metrics: nil)
        #expect(waiting.offer(Self.message(1)))
        let cancelled = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await waiting.next()
        }
        #expect(await cancelled.value == nil)
        let lateHandler = Atomic<Int>(0)
        waiting.onTermination { lateHandler.add(1, ordering: .relaxed) }
        #expect(lateHandler.load(ordering: .relaxed) == 1, "a handler set after the end runs at once")
    }

    @Test("10,000 messages offered from another thread while the consumer takes them: none lost, none reordered, drops counted")
    func producerAndConsumerRace() async {
        let count = 10_000
        for capacity in [count, 8] {
            let metrics = MetricsRegistry()
            let inbox = BoundedInbox(capacity: capacity, name: "stock", logger: .disabled, metrics: metrics)
            let producer = Thread {
                for index in 0..<count { inbox.offer(Self.message(index)) }
                inbox.finish()
            }
            producer.start()
            var taken: [InboundMessage] = []
            for await message in inbox.messages { taken.append(message) }
            let dropped = Int(metrics.value("switchboard_pubsub_dropped_total", labels: ["subscriber": "stock"]) ?? 0)
            #expect(taken.count + dropped == count)
            let indices = taken.map { Int(String(decoding: $0.payload.dropFirst(), as: UTF8.self)) ?? -1 }
            #expect(indices == indices.sorted() && Set(indices).count == indices.count, "capacity \(capacity)")
            if capacity == count { #expect(dropped == 0) }
        }
    }
}
