@testable import Ingress
import EventBus
import Synchronization
import TestSupport
import Testing

@Suite("DashboardFeed watches every channel only while a dashboard is connected, and cuts one that falls behind")
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
        feed.disconnect(first)
        #expect(feed.isWatching)
        #expect(feed.take(first) == nil)
        feed.disconnect(second)
        #expect(!feed.isWatching)
        #expect(await eventually { bus.ended == 1 })
        _ = feed.connect()
        #expect(bus.started == 2)
    }

    @Test("a dashboard that lets queueCapacity messages pile up is cut; one that takes them is not")
    func slowDashboardIsCut() async {
        let bus = Bus()
        let feed = DashboardFeed(watchAll: bus.watch)
        let keepingUp = feed.connect()
        let slow = feed.connect()
        var taken: [InboundMessage] = []
        for index in 0..<DashboardFeed.queueCapacity { bus.publish(index) }
        #expect(await eventually {
            taken += feed.take(keepingUp) ?? []
            return taken.count == DashboardFeed.queueCapacity
        })
        #expect(taken.first?.payload == Array("0".utf8))
        bus.publish(DashboardFeed.queueCapacity)
        // Queued for both at once: once the one taking has it, the slow one's full queue was found.
        #expect(await eventually { feed.take(keepingUp)?.count == 1 })
        #expect(feed.take(slow) == nil)
        bus.publish(0)
        #expect(await eventually { feed.take(keepingUp)?.count == 1 })
        #expect(feed.take(slow) == nil)
        feed.disconnect(slow)
        #expect(feed.isWatching)
    }

    @Test("messages are one server-sent event: a data line each, the channel, a space, the message")
    func frames() {
        let messages = [
            InboundMessage(channel: "order.created", payload: Array("{\"a\":1,\n\"b\":2}".utf8)),
            InboundMessage(channel: "odd channel\n", payload: Array("x\ry".utf8)),
        ]
        #expect(String(decoding: DashboardRoutes.frame(messages), as: UTF8.self)
            == "data: order.created {\"a\":1, \"b\":2}\ndata: odd_channel_ x y\n\n")
    }
}
