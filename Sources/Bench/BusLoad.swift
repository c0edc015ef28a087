#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import EventBus
import EventBusRedis
import RedisClient
import Synchronization

/// Drives orders straight onto the bus: bare `order.created` payloads published in pipelined batches
/// (`PUBLISH`, or `XADD` on streams), each timed until its `order.confirmed` passes.
public struct BusLoad: Sendable {
    /// How to load the system.
    public struct Options: Sendable {
        /// How many orders to send.
        public var orders: Int
        /// Closed loop: orders in flight at once.
        public var concurrency: Int
        /// Open loop: orders per second, sent on schedule whatever the system does.
        public var rate: Int?
        /// `pubsub` or `streams`.
        public var transport: String
        /// How long to wait for the last orders once all are sent.
        public var drainTimeout: Duration

        public init(orders: Int, concurrency: Int, rate: Int?, transport: String, drainTimeout: Duration = .seconds(30)) {
            self.orders = orders
            self.concurrency = concurrency
            self.rate = rate
            self.transport = transport
            self.drainTimeout = drainTimeout
        }
    }

    private let options: Options
    private let client: RedisClient
    /// How channels and streams are named: per partition on a Redis Cluster.
    private let layout: ChannelLayout
    private let completions: AsyncStream<InboundMessage>

    /// Creates a driver.
    /// - Parameters:
    ///   - options: how to load the system.
    ///   - client: the connection orders are published on.
    ///   - completions: final events (`order.confirmed`, `order.cancelled`) as the transport delivers them.
    public init(options: Options, client: RedisClient, completions: AsyncStream<InboundMessage>) {
        self.options = options
        self.client = client
        self.layout = ChannelLayout(url: client.url)
        self.completions = completions
    }

    /// Runs the load and reports; `progress` gets a line about once a second.
    public func run(progress: @escaping @Sendable (String) -> Void) async throws(RedisError) -> BenchReport {
        let ceiling = try await driverCeiling()
        let tracker = Tracker()
        let recorder = LatencyRecorder()
        let runID = String(UUID().uuidString.prefix(8)).lowercased()
        let (wakeups, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let observer = Task {
            for await message in completions {
                guard let event = try? CloudEvent(decoding: message.payload, channel: message.channel),
                      let id = event.data["orderId"]?.stringValue, let sent = tracker.complete(id) else { continue }
                if event.type == "order.confirmed" {
                    recorder.record(.now - sent)
                } else {
                    recorder.fail("cancelled: \(event.data["reason"]?.stringValue ?? "?")")
                }
                wake.yield()
            }
        }
        defer { observer.cancel() }
        try? await Task.sleep(for: .milliseconds(300))  // let the observer subscribe before the first order

        progress(BenchReport.sendingOrders + " (the driver's ceiling: \(Int(ceiling.rate)) PUBLISH/s)")
        let start = ContinuousClock.now
        let reporter = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                let elapsed = (ContinuousClock.now - start).seconds
                progress("sent \(tracker.sent), final \(recorder.completed + recorder.errors.values.reduce(0, +)), "
                    + "in flight \(tracker.inFlight), \(Int(Double(recorder.completed) / max(elapsed, 0.001))) orders/s")
            }
        }
        defer { reporter.cancel() }

        if let rate = options.rate {
            while tracker.sent < options.orders {
                let due = min(options.orders, Int((ContinuousClock.now - start).seconds * Double(rate)) + 1)
                let indices = tracker.sent..<due
                if !indices.isEmpty {
                    let scheduled = indices.map { start + .seconds(Double($0) / Double(rate)) }
                    try await publish(indices, runID: runID, sentAt: scheduled, tracker: tracker)
                }
                try? await Task.sleep(for: .milliseconds(1))
            }
        } else {
            var iterator = wakeups.makeAsyncIterator()
            while tracker.sent < options.orders {
                let room = min(options.concurrency - tracker.inFlight, options.orders - tracker.sent)
                if room >= max(1, options.concurrency / 4) || tracker.inFlight == 0 {
                    let indices = tracker.sent..<(tracker.sent + room)
                    try await publish(indices, runID: runID, sentAt: nil, tracker: tracker)
                } else {
                    _ = await iterator.next()
                }
            }
        }
        let drainDeadline = ContinuousClock.now + options.drainTimeout
        while tracker.inFlight > 0, ContinuousClock.now < drainDeadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        let elapsed = ContinuousClock.now - start
        for _ in 0..<tracker.inFlight { recorder.fail("not final within \(options.drainTimeout)") }
        return BenchReport(
            mode: "bus \(options.transport) " + (options.rate.map { "open loop \($0)/s" } ?? "closed loop c=\(options.concurrency)"),
            sent: tracker.sent, completed: recorder.completed, errors: recorder.errors, elapsed: elapsed,
            latency: recorder.summary(), driverCeiling: ceiling.rate, driverCommands: ceiling.commands
        )
    }

    private func publish(_ indices: Range<Int>, runID: String, sentAt: [ContinuousClock.Instant]?, tracker: Tracker)
        async throws(RedisError)
    {
        let ids = indices.map { "bench-\(runID)-\($0)" }
        let commands = ids.map { id in command(for: Self.order(id: id), on: layout.channel(of: "order.created", forOrder: id)) }
        let now = ContinuousClock.now
        tracker.start(ids, at: sentAt ?? Array(repeating: now, count: ids.count))
        _ = try await client.pipeline(commands)
    }

    /// The command that publishes `payload` on `channel` (a partition's share of it on a Redis Cluster, where
    /// pub/sub is sharded: `SPUBLISH`), routed by the channel.
    private func command(for payload: String, on channel: String) -> RedisCommand {
        let command = if options.transport == "streams" {
            RedisCommand("XADD", channel, "*", "event", payload)
        } else if layout.isPartitioned {
            RedisCommand("SPUBLISH", channel, payload)
        } else {
            RedisCommand("PUBLISH", channel, payload)
        }
        return command.routed(by: channel)
    }

    /// Orders per second the driver publishes to a channel nobody reads: its own ceiling; and how many
    /// Redis commands measuring it took, which are not the system's.
    private func driverCeiling() async throws(RedisError) -> (rate: Double, commands: Int) {
        let sink = "switchboard:bench:sink"
        let batch = (0..<500).map { command(for: Self.order(id: "ceiling-\($0)"), on: sink) }
        let start = ContinuousClock.now
        var sent = 0
        while ContinuousClock.now - start < .milliseconds(500) {
            _ = try await client.pipeline(batch)
            sent += batch.count
        }
        let rate = Double(sent) / (ContinuousClock.now - start).seconds
        _ = try await client.send("DEL", sink)
        return (rate, sent + 1)
    }

    private static func order(id: String) -> String {
        #"{"orderId":"\#(id)","customerId":"bench","items":[{"sku":"BOOK-1","quantity":1}],"#
            + #""payment":{"card":"4242424242424242"}}"#
    }
}

/// Which orders are in flight and since when.
private final class Tracker: Sendable {
    private struct State {
        var sentAt: [String: ContinuousClock.Instant] = [:]
        var sent = 0
    }

    private let state = Mutex(State())

    var sent: Int { state.withLock { $0.sent } }
    var inFlight: Int { state.withLock { $0.sentAt.count } }

    func start(_ ids: [String], at times: [ContinuousClock.Instant]) {
        state.withLock { state in
            for (id, time) in zip(ids, times) { state.sentAt[id] = time }
            state.sent += ids.count
        }
    }

    /// When the order was sent, once; `nil` for orders not of this run or already completed.
    func complete(_ id: String) -> ContinuousClock.Instant? {
        state.withLock { $0.sentAt.removeValue(forKey: id) }
    }
}
