import EventBus
@testable import EventBusRedis
import Lifecycle
import RedisClient
import TestSupport
import Testing

/// The streams transport on a real Redis Cluster of 3 primaries with a replica each (a serial suite: it
/// kills and reshards nodes): every type is a stream per partition, consumers read every partition and
/// acknowledge in the commit, on the node owning the slot, through resharding and a failover.
///
/// The work is `t.work` events, one per order; a worker, deciding like a service on the record it read,
/// commits the order's record `test:{pNN}:<order>` with its count `n` incremented, the event's id and a
/// `t.done` event, acknowledging the entry in the same commit; an entry delivered again (claimed while its
/// first commit waited out a slot migration) whose event the record already holds is only acknowledged, as
/// the service runner does. A commit applied twice (the version check failing across a migration) shows as
/// `n == 2` and two `t.done`, an event lost as a missing record.
@Suite("Streams transport on a Redis Cluster", .serialized)
struct RedisClusterStreamsTests {
    /// Short claims and polls, so the tests move fast; nothing here measures time.
    private static let configuration = StreamsConfiguration(
        batchSize: 10, block: .milliseconds(200), claimIdle: .milliseconds(500),
        partitionPollInterval: .milliseconds(20)
    )

    @Test("entries of every partition are read and acknowledged in the commit; emitted events and watchers follow")
    func everyPartition() async throws {
        try await withRedisCluster { cluster in
            let transport = Self.transport(cluster)
            let orders = (0..<320).map { "o-\($0)" }
            #expect(Set(orders.map(Partition.init(of:))).count == Partition.count)
            let watched = Tally(), pattern = Tally()
            let watching = Task { await Self.collect(transport.watch(channels: ["t.done"]), into: watched) }
            let matching = Task { await Self.collect(transport.watch(pattern: "t.d*"), into: pattern) }
            defer {
                watching.cancel()
                matching.cancel()
            }
            try await Self.withWorkers(["w-1"], on: transport) { _ in
                try await Self.publish(orders, on: transport)
                try await Self.expectProcessedOnce(orders, on: transport)
            }
            let client = cluster.makeClient()
            for partition in Partition.all {
                let work = partition.shard(of: "t.work"), done = partition.shard(of: "t.done")
                let summary = try await client.send(RedisCommand("XPENDING", work, "g").routed(by: work))
                #expect(summary.array?.first?.int == 0, "\(work) still has pending entries: \(summary)")
                let emitted = orders.filter { Partition(of: $0) == partition }.count
                #expect(try await client.send(RedisCommand("XLEN", done).routed(by: done)).int == emitted)
            }
            // On a cluster nothing is written to the unpartitioned stream names.
            #expect(try await client.send(RedisCommand("EXISTS", "t.work").routed(by: "t.work")).int == 0)
            #expect(await eventually { await watched.count == orders.count })
            #expect(await watched.channels == ["t.done"])
            #expect(await eventually { await pattern.count == orders.count })
        }
    }

    @Test("two consumers of one group share the partitions: each entry goes to one of them")
    func consumersShare() async throws {
        try await withRedisCluster { cluster in
            let transport = Self.transport(cluster)
            let orders = (0..<400).map { "o-\($0)" }
            try await Self.withWorkers(["w-1", "w-2"], on: transport) { tally in
                try await Self.publish(orders, on: transport)
                try await Self.expectProcessedOnce(orders, on: transport)
                let byConsumer = await tally.byConsumer
                // A delivery counts once per consumer it reached (a claim after a slow commit reaches two).
                #expect(byConsumer.values.reduce(0, +) >= orders.count)
                #expect(byConsumer["w-1", default: 0] > 0 && byConsumer["w-2", default: 0] > 0, "\(byConsumer)")
            }
        }
    }

    @Test("entries a stopped consumer left pending, in every partition, are claimed with their delivery counts")
    func pendingClaimed() async throws {
        try await withRedisCluster { cluster in
            let transport = Self.transport(cluster)
            let orders = (0..<128).map { "o-\($0)" }
            try await Self.publish(orders, on: transport)
            let shutdown = GracefulShutdown()
            var abandoned = transport.consume(channels: ["t.work"], group: "g", consumer: "crashed", until: shutdown)
                .makeAsyncIterator()
            for _ in orders { _ = try #require(await abandoned.next()) }
            shutdown.request()
            try await Self.withWorkers(["w-1"], on: transport) { tally in
                try await Self.expectProcessedOnce(orders, on: transport)
                #expect(await tally.smallestDeliveryCount >= 2)
            }
        }
    }

    @Test("slots resharded under a load of commits: every event is processed exactly once")
    func reshardUnderLoad() async throws {
        try await withRedisCluster { cluster in
            let transport = Self.transport(cluster)
            let from = try await cluster.primary(serving: HashSlot(key: "{p00}"))
            let to = try await cluster.nodes.asyncFirst { node in
                try await node.cli("ROLE").hasPrefix("master") && node.port != from.port
            }
            let before = try await Self.owners(cluster)
            let resharded = GracefulShutdown()
            var orders: [String] = []
            try await Self.withWorkers(["w-1", "w-2"], on: transport) { _ in
                // Orders keep coming until the reshard is over, so slots move while entries are read and committed.
                async let load = Self.publish(on: transport, until: resharded)
                try await cluster.reshard(count: 3000, from: from, to: try #require(to))
                resharded.request()
                orders = try await load
                try await Self.expectProcessedOnce(orders, on: transport, within: .seconds(60))
            }
            #expect(orders.count > 200)
            let after = try await Self.owners(cluster)
            let moved = Partition.all.filter { before[$0] != after[$0] }
            #expect(!moved.isEmpty, "the reshard moved no partition")
            let client = cluster.makeClient()
            var done = 0
            for partition in Partition.all {
                let stream = partition.shard(of: "t.done")
                done += try await client.send(RedisCommand("XLEN", stream).routed(by: stream)).int ?? 0
            }
            #expect(done == orders.count)
        }
    }

    @Test("kill -9 of a primary with a replica: the transport follows the promoted replica")
    func primaryKilled() async throws {
        try await withRedisCluster { cluster in
            let transport = Self.transport(cluster)
            try await Self.withWorkers(["w-1"], on: transport) { _ in
                let first = (0..<100).map { "a-\($0)" }
                try await Self.publish(first, on: transport)
                try await Self.expectProcessedOnce(first, on: transport)
                try await cluster.killPrimary(serving: HashSlot(key: Partition(of: "b-0").hashTag))
                let second = (0..<200).map { "b-\($0)" }
                try await Self.publish(second, on: transport)
                // At least once across a failover: an entry whose acknowledgement the dead primary had not
                // yet replicated comes back, and its record (not replicated either) is committed again once.
                #expect(await eventually(within: .seconds(60)) {
                    try await Self.counts(second, on: transport).allSatisfy { $0 >= 1 }
                })
            }
        }
    }

    // MARK: - Helpers

    private static func transport(_ cluster: RedisCluster) -> RedisStreamsTransport {
        RedisStreamsTransport(url: cluster.url, configuration: configuration, logger: .disabled)
    }

    /// Publishes one `t.work` event per order.
    private static func publish(_ orders: [String], on transport: RedisStreamsTransport) async throws {
        for order in orders {
            _ = try await transport.publish(CloudEvent(source: "switchboard/test", type: "t.work", correlationID: order,
                                                       data: ["orderId": .string(order)]))
        }
    }

    /// Publishes `t.work` events for orders `r-0`, `r-1`, … until `done` is requested (and at least 200);
    /// returns them.
    private static func publish(on transport: RedisStreamsTransport, until done: GracefulShutdown)
        async throws -> [String]
    {
        var orders: [String] = []
        while orders.count < 200 || !done.isRequested {
            orders.append("r-\(orders.count)")
            try await publish([orders[orders.count - 1]], on: transport)
        }
        return orders
    }

    private static func recordKey(_ order: String) -> String {
        "test:\(Partition.tag(of: order)):\(order)"
    }

    /// Each order's record count `n` (0: no record).
    private static func counts(_ orders: [String], on transport: RedisStreamsTransport) async throws -> [Int] {
        var counts: [Int] = []
        for order in orders {
            counts.append(Int(try await transport.record(recordKey(order))?.fields["n"] ?? "0") ?? 0)
        }
        return counts
    }

    /// Waits until every order's record exists, then expects each to have been committed exactly once.
    private static func expectProcessedOnce(
        _ orders: [String], on transport: RedisStreamsTransport, within timeout: Duration = .seconds(30)
    ) async throws {
        #expect(await eventually(within: timeout, every: .milliseconds(100)) {
            try await counts(orders, on: transport).allSatisfy { $0 >= 1 }
        })
        let found = try await counts(orders, on: transport)
        #expect(found.allSatisfy { $0 == 1 }, "counts other than 1: \(zip(orders, found).filter { $0.1 != 1 })")
    }

    /// Runs a worker per consumer name while `body` runs, then stops them.
    private static func withWorkers(
        _ consumers: [String], on transport: RedisStreamsTransport, _ body: (Tally) async throws -> Void
    ) async throws {
        let tally = Tally()
        let shutdown = GracefulShutdown()
        let workers = consumers.map { consumer in
            Task { await work(transport, consumer: consumer, until: shutdown, tally: tally) }
        }
        defer {
            shutdown.request()
            for worker in workers { worker.cancel() }
        }
        try await body(tally)
    }

    /// Commits each `t.work` entry as the suite describes, retrying a commit that failed (a failover) or
    /// met a newer record, and only acknowledging an entry whose event the record already holds.
    private static func work(
        _ transport: RedisStreamsTransport, consumer: String, until shutdown: GracefulShutdown, tally: Tally
    ) async {
        for await message in transport.consume(channels: ["t.work"], group: "g", consumer: consumer, until: shutdown) {
            guard let event = try? CloudEvent(decoding: message.payload, channel: message.channel),
                  let order = event.data["orderId"]?.stringValue else { continue }
            await tally.add(message, consumer: consumer)
            while !Task.isCancelled {
                do {
                    let record = try await transport.record(recordKey(order))
                    if record?.fields["event"] == event.id {
                        try await transport.acknowledge(message, group: "g")
                        break
                    }
                    let count = Int(record?.fields["n"] ?? "0") ?? 0
                    let done = CloudEvent(source: "switchboard/test", type: "t.done", correlationID: order,
                                          data: ["orderId": .string(order)])
                    let commit = Commit(key: recordKey(order), expected: record,
                                        outcome: .init(record: ["n": String(count + 1), "event": event.id], events: [done]))
                    if case .applied = try await transport.commit(commit, acknowledging: message, group: "g") { break }
                } catch {
                    try? await Task.sleep(for: .milliseconds(50))
                }
            }
        }
    }

    private static func collect(_ messages: AsyncStream<InboundMessage>, into tally: Tally) async {
        for await message in messages { await tally.add(message, consumer: "watcher") }
    }

    /// The primary serving each partition's slot, by port.
    private static func owners(_ cluster: RedisCluster) async throws -> [Partition: Int] {
        var owners: [Partition: Int] = [:]
        for partition in Partition.all {
            owners[partition] = try await cluster.primary(serving: HashSlot(key: partition.hashTag)).port
        }
        return owners
    }
}

/// What consumers or watchers received.
private actor Tally {
    private(set) var byConsumer: [String: Int] = [:]
    private(set) var channels: Set<String> = []
    private(set) var smallestDeliveryCount = Int.max
    private(set) var count = 0

    func add(_ message: InboundMessage, consumer: String) {
        byConsumer[consumer, default: 0] += 1
        channels.insert(message.channel)
        smallestDeliveryCount = min(smallestDeliveryCount, message.deliveryCount)
        count += 1
    }
}

extension Array {
    /// The first element for which `predicate` holds.
    fileprivate func asyncFirst(where predicate: (Element) async throws -> Bool) async rethrows -> Element? {
        for element in self where try await predicate(element) { return element }
        return nil
    }
}
