import RedisClient
import Synchronization
import Testing
import TestSupport

/// Sharded subscriptions (`RedisSubscriber.startSharded`) against a real Redis Cluster of 3 primaries with a
/// replica each: every channel subscribed on the node serving its slot, followed across a resharding and a
/// primary killed with `kill -9`. A serial suite (Makefile `SERIAL_SUITES`).
@Suite("Sharded subscriptions on a Redis Cluster", .serialized)
struct ShardedSubscriptionClusterTests {
    /// One channel per partition tag, as the pub/sub transport names them on a cluster.
    private static let channels = (0..<64).map { "order.created{p\($0 < 10 ? "0" : "")\($0)}" }

    /// What a subscription delivered.
    private final class Listener: Sendable {
        let messages = Mutex<[String]>([])
        let subscribedReports = Mutex(0)

        func handle(_ event: RedisSubscriber.Event) {
            switch event {
            case .message(let message): messages.withLock { $0.append(String(decoding: message.payload, as: UTF8.self)) }
            case .subscribed: subscribedReports.withLock { $0 += 1 }
            case .disconnected: break
            }
        }

        func received(_ payloads: Set<String>) -> Bool {
            payloads.isSubset(of: Set(messages.withLock { $0 }))
        }
    }

    /// `SPUBLISH`es one message per channel, `<round>:<channel>`; returns each reply (the receivers).
    private static func publishAll(round: String, with client: RedisClient) async throws -> (replies: [Int], payloads: Set<String>) {
        var replies: [Int] = []
        var payloads: Set<String> = []
        for channel in channels {
            let payload = "\(round):\(channel)"
            payloads.insert(payload)
            replies.append(try await client.send(RedisCommand("SPUBLISH", channel, payload).routed(by: channel)).int ?? -1)
        }
        return (replies, payloads)
    }

    private static func subscribe(_ cluster: RedisCluster) async throws -> (Listener, RedisSubscription) {
        let listener = Listener()
        let subscription = RedisSubscriber(url: cluster.url, logger: .disabled)
            .startSharded(channels: channels) { listener.handle($0) }
        try #require(await eventually { listener.subscribedReports.withLock { $0 } > 0 }, "every channel subscribed")
        return (listener, subscription)
    }

    /// Waits until a probe on every channel reaches one receiver: the subscription has followed the cluster.
    private static func waitUntilSettled(client: RedisClient) async throws {
        var probe = 0
        try #require(await eventually(within: .seconds(30), every: .milliseconds(200)) {
            probe += 1
            return try await publishAll(round: "probe-\(probe)", with: client).replies.allSatisfy { $0 == 1 }
        }, "every channel has its subscriber on the node serving it")
    }

    /// Publishes a round on every channel, expecting one receiver each, and waits for all of it to arrive.
    private static func expectEveryMessage(round: String, client: RedisClient, listener: Listener) async throws {
        let (replies, payloads) = try await publishAll(round: round, with: client)
        #expect(replies == Array(repeating: 1, count: channels.count), "round \(round): one receiver per channel")
        #expect(await eventually { listener.received(payloads) }, "round \(round): every message received")
    }

    @Test("every partition's channel is subscribed on the primary serving it, and receives its messages")
    func receivesEveryPartitionFromEveryNode() async throws {
        try await withRedisCluster { cluster in
            try await withTimeout(.seconds(60)) {
                let client = cluster.makeClient()
                let (listener, subscription) = try await Self.subscribe(cluster)
                defer { subscription.cancel() }
                try await Self.expectEveryMessage(round: "1", client: client, listener: listener)
                // Each primary holds its own channels' subscriptions, and only those.
                var counts: [Int] = []
                for node in cluster.nodes where try await node.cli("ROLE").hasPrefix("master") {
                    let subscribed = try await node.cli("PUBSUB", "SHARDCHANNELS").split(separator: "\n").map(String.init)
                    counts.append(subscribed.count)
                    for channel in subscribed {
                        #expect(try await cluster.primary(serving: HashSlot(key: channel)).port == node.port)
                    }
                }
                #expect(counts.count == 3)
                #expect(counts.allSatisfy { $0 > 0 })
                #expect(counts.reduce(0, +) == Self.channels.count)
                await client.close()
            }
        }
    }

    @Test("a channel whose slot is resharded to another primary is subscribed there, and loses nothing after")
    func followsResharding() async throws {
        try await withRedisCluster { cluster in
            try await withTimeout(.seconds(120)) {
                let client = cluster.makeClient()
                let (listener, subscription) = try await Self.subscribe(cluster)
                defer { subscription.cancel() }
                // `redis-cli --cluster reshard` moves the source's lowest slots first: move every slot up to the
                // lowest channel's, from the node serving slot 0 to another.
                let moved = try #require(Self.channels.min { HashSlot(key: $0) < HashSlot(key: $1) })
                let source = try await cluster.primary(serving: HashSlot(rawValue: 0)!)
                let target = try await cluster.primary(serving: HashSlot(rawValue: UInt16(HashSlot.count - 1))!)
                try #require(try await cluster.primary(serving: HashSlot(key: moved)).port == source.port)
                try await cluster.reshard(count: Int(HashSlot(key: moved).rawValue) + 1, from: source, to: target)
                #expect(try await cluster.primary(serving: HashSlot(key: moved)).port == target.port)
                // Once the move has settled (the new owner counts a subscriber), every message arrives.
                #expect(await eventually(within: .seconds(20)) {
                    try await target.cli("PUBSUB", "SHARDNUMSUB", moved) == "\(moved)\n1"
                }, "\(moved) subscribed on its new primary")
                #expect(try await source.cli("PUBSUB", "SHARDNUMSUB", moved) == "\(moved)\n0")
                try await Self.waitUntilSettled(client: client)
                try await Self.expectEveryMessage(round: "after-reshard", client: client, listener: listener)
                await client.close()
            }
        }
    }

    @Test("kill -9 of a primary: its channels are subscribed again on the replica that took over")
    func followsFailover() async throws {
        try await withRedisCluster { cluster in
            try await withTimeout(.seconds(120)) {
                let client = cluster.makeClient()
                let (listener, subscription) = try await Self.subscribe(cluster)
                defer { subscription.cancel() }
                try await Self.expectEveryMessage(round: "before", client: client, listener: listener)
                let victim = try await cluster.killPrimary(serving: HashSlot(key: Self.channels[0]))
                let promoted = try await cluster.primary(serving: HashSlot(key: Self.channels[0]))
                #expect(promoted.port != victim.port)
                #expect(await eventually(within: .seconds(30)) {
                    try await promoted.cli("PUBSUB", "SHARDNUMSUB", Self.channels[0]) == "\(Self.channels[0])\n1"
                }, "\(Self.channels[0]) subscribed on the promoted replica")
                #expect(await eventually(within: .seconds(30)) { listener.subscribedReports.withLock { $0 } > 1 },
                        "reported subscribed again")
                try await Self.waitUntilSettled(client: client)
                try await Self.expectEveryMessage(round: "after", client: client, listener: listener)
                await client.close()
            }
        }
    }
}
