import EventBus
import EventBusRedis
import Ingress
import RedisClient
import SagaEvents
import StockService
import SystemReads
import Testing
import TestSupport

/// The pub/sub transport's commit and the ingress's accept on a real Redis Cluster of 3 primaries with a
/// replica each: sharded pub/sub on each order's partition channel (`order.created{p07}`), with no
/// `CROSSSLOT`, and the accept's "has a receiver" counted on that channel. A serial suite (Makefile
/// `SERIAL_SUITES`).
@Suite("Pub/sub transport and accept on a Redis Cluster", .serialized)
struct PubSubClusterTests {
    /// Waits until `count` subscribers listen to `type`'s channel of the order `id`'s partition.
    private static func waitForSubscribers(
        _ count: Int, of type: String, order id: String, in cluster: RedisCluster
    ) async throws {
        let channel = Partition(of: id).shard(of: type)
        let node = try await cluster.primary(serving: HashSlot(key: channel))
        try #require(await eventually { try await node.cli("PUBSUB", "SHARDNUMSUB", channel) == "\(channel)\n\(count)" },
                     "\(count) subscribers of \(channel)")
    }

    @Test("a commit emits with SPUBLISH on its order's partition channel, in the record's slot; subscribers get the type")
    func commitEmitsOnThePartitionChannel() async throws {
        try await withRedisCluster { cluster in
            try await withTimeout(.seconds(60)) {
                let transport = RedisPubSubTransport(url: cluster.url, logger: .disabled,
                                                     knownChannels: [EventTypes.orderCreated, EventTypes.stockReserved])
                var consumed = transport.consume(channels: [EventTypes.stockReserved], group: "order", consumer: "c")
                    .makeAsyncIterator()
                var watched = transport.watch(pattern: "stock.*").makeAsyncIterator()
                // Orders in partitions on every primary: each is emitted in its own record's slot.
                let orders = (0..<12).map { "o-\($0)" }
                for order in orders {
                    try await Self.waitForSubscribers(2, of: EventTypes.stockReserved, order: order, in: cluster)
                }
                let client = cluster.makeClient()
                for order in orders {
                    let reserved = CloudEvent(source: "switchboard/stock", type: EventTypes.stockReserved,
                                              correlationID: order, data: ["orderId": .string(order)])
                    let commit = Commit(key: StockKeys.reservation(order), expected: nil, outcome: .init(
                        record: ["status": "reserved"], changes: [], events: [reserved]
                    ))
                    #expect(try await transport.commit(commit, acknowledging: nil, group: "stock")
                        == .applied(fallback: nil, version: 1))
                    let message = try #require(await consumed.next())
                    #expect(message.channel == EventTypes.stockReserved)
                    #expect(try CloudEvent(decoding: message.payload, channel: message.channel).id == reserved.id)
                    #expect(await watched.next()?.channel == EventTypes.stockReserved)
                    let trace = TraceLog.key(for: order)
                    #expect(try await client.send(RedisCommand("XLEN", trace).routed(by: trace)).int == 1)
                    // Published by hand, the event goes to the same channel: both subscribers count.
                    #expect(try await transport.publish(reserved) == 2)
                    #expect(try await transport.publish(raw: reserved.encoded(), on: EventTypes.stockReserved) == 2)
                    for _ in 0..<2 {
                        #expect(await consumed.next()?.channel == EventTypes.stockReserved)
                        #expect(await watched.next()?.channel == EventTypes.stockReserved)
                    }
                }
                await client.close()
            }
        }
    }

    @Test("the accept counts the receivers of its order's partition channel; with none it records nothing")
    func acceptCountsShardedReceivers() async throws {
        try await withRedisCluster { cluster in
            try await withTimeout(.seconds(60)) {
                let client = cluster.makeClient()
                let store = RedisIngressStore(client: client, emission: .publish)
                let reads = RedisSystemReader(client: client)
                func accept(_ order: String) async throws -> AcceptResult {
                    let event = CloudEvent(source: "switchboard/ingress", type: EventTypes.orderCreated,
                                           correlationID: order, data: ["orderId": .string(order)])
                    let accepted = AcceptedOrder(orderId: order, customerId: "c-1",
                                                 items: [OrderItem(sku: "MUG-1", quantity: 1)], acceptedAt: "now")
                    return try await store.accept(event, order: accepted, card: VaultedCard(number: "4242424242424242"),
                                                  idempotency: nil)
                }
                #expect(try await accept("o-none") == .noSubscriber)
                #expect(try await store.order("o-none") == nil)

                let transport = RedisPubSubTransport(url: cluster.url, logger: .disabled)
                var first = transport.consume(channels: [EventTypes.orderCreated], group: "order", consumer: "a")
                    .makeAsyncIterator()
                var second = transport.consume(channels: [EventTypes.orderCreated], group: "stock", consumer: "b")
                    .makeAsyncIterator()
                for order in (0..<12).map({ "o-\($0)" }) {
                    try await Self.waitForSubscribers(2, of: EventTypes.orderCreated, order: order, in: cluster)
                    #expect(try await accept(order) == .accepted(receivers: 2))
                    #expect(try await store.order(order)?.orderId == order)
                    #expect(try await reads.trace(order).map(\.type) == [EventTypes.orderCreated])
                    #expect(await first.next()?.channel == EventTypes.orderCreated)
                    #expect(await second.next()?.channel == EventTypes.orderCreated)
                }
                await client.close()
            }
        }
    }
}
