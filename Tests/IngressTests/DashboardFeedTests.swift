@testable import Ingress
import EventBus
import Synchronization
import TestSupport
import Testing

@Suite("DashboardFeed watches every channel only while a dashboard is connected, and cuts a slow one")
struct DashboardFeedTests {
    /// A stand-in for `transport.watch(pattern: "*")`: counts the watches started and ended, and lets the
    /// test publish into the one running.
    private final class Bus: Sendable {
        private struct State {
            var started = 0
            var ended = 0
            var current: AsyncStream<InboundMessage>.Continuation?
        }

        private let state = Mutex(State())

        var started: Int { state.withLock { $0.started } }
        var ended: Int { state.withLock { $0.ended } }

        func watch() -> AsyncStream<InboundMessage> {
            let (messages, continuation) = AsyncStream<InboundMessage>.makeStream()
            continuation.onTermination = { [self] _ in state.withLock { $0.ended += 1 } }
            state.withLock { state in
                state.started += 1
                state.current = continuation
            }
            return messages
        }

        func publish(_ index: Int) {
            _ = state.withLock { $0.current }?.yield(InboundMessage(channel: "test.load", payload: Array("\(index)".utf8)))
        }
    }

    @Test("one watch for any number of dashboards, from the first connect to the last disconnect")
    func watchFollowsDashboards() async {
        let bus = Bus()
        let feed = DashboardFeed(watchAll: bus.watch)
        #expect(!feed.isWatching)
        #expect(bus.started == 0)
        let first = feed.connect()
        let second = feed.connect()
        #expect(feed.isWatching)
        #expect(bus.started == 1)
        feed.disconnect(first.token)
        #expect(feed.isWatching)
        feed.disconnect(second.token)
        #expect(!feed.isWatching)
        #expect(await eventually { bus.ended == 1 })
        _ = feed.connect()
        #expect(bus.started == 2)
    }

    @Test("a dashboard that falls queueCapacity messages behind is cut; one that keeps up is not")
    func slowDashboardIsCut() async {
        let bus = Bus()
        let feed = DashboardFeed(watchAll: bus.watch)
        let keepingUp = feed.connect()
        let slow = feed.connect()
        var reader = keepingUp.messages.makeAsyncIterator()
        for index in 0..<DashboardFeed.queueCapacity { bus.publish(index) }
        for _ in 0..<DashboardFeed.queueCapacity { _ = await reader.next() }
        bus.publish(DashboardFeed.queueCapacity)
        // Handed to both at once: once the reader has it, the slow one's full queue was found.
        #expect(await reader.next()?.payload == Array("\(DashboardFeed.queueCapacity)".utf8))
        var held = 0
        for await _ in slow.messages { held += 1 }
        #expect(held == DashboardFeed.queueCapacity)
        bus.publish(0)
        #expect(await reader.next() != nil)
        feed.disconnect(slow.token)
        #expect(feed.isWatching)
    }

    @Test("a message is one server-sent event: the channel, then each line of the payload as a data line")
    func frames() {
        let message = InboundMessage(channel: "order.created", payload: Array("{\"a\":1,\n\"b\":2}".utf8))
        #expect(String(decoding: DashboardRoutes.frame(message), as: UTF8.self)
            == "data: order.created\ndata: {\"a\":1,\ndata: \"b\":2}\n\n")
        let odd = InboundMessage(channel: "odd\nchannel", payload: Array("x\ry".utf8))
        #expect(String(decoding: DashboardRoutes.frame(odd), as: UTF8.self) == "data: odd channel\ndata: x\ndata: y\n\n")
    }
}
