import EventBus
import Ingress
import RedisClient
import SagaEvents
import TestSupport
import Testing

/// The ingress's accept on a real Redis Cluster (a serial suite): on streams it adds `order.created` to the
/// order's partition stream, in the slot of the accepted record, and asks for a receiver there.
@Suite("RedisIngressStore on a Redis Cluster", .serialized)
struct RedisIngressStoreClusterTests {
    @Test("accept: no group on the order's partition stream is no receiver; with one, the entry is added there and is backlog")
    func acceptOnPartitionStream() async throws {
        try await withRedisCluster(replicas: 0) { cluster in
            let client = cluster.makeClient()
            let store = RedisIngressStore(client: client, emission: .streams)
            let stream = Partition(of: "o-1").shard(of: EventTypes.orderCreated)
            #expect(stream == "order.created{p40}")

            #expect(try await Self.accept("o-1", on: store) == .noSubscriber)
            let create = RedisCommand("XGROUP", "CREATE", stream, "order", "0", "MKSTREAM").routed(by: stream)
            _ = try await client.send(create)
            #expect(try await Self.accept("o-1", on: store) == .accepted(receivers: 1))

            let entries = try await client.send(RedisCommand("XRANGE", stream, "-", "+").routed(by: stream))
            let payload = try #require(RedisStreamEntry.entries(in: entries).first?.fields["event"])
            let event = try CloudEvent(envelope: payload)
            #expect(event.correlationID == "o-1")
            #expect(try await client.send(RedisCommand("EXISTS", EventTypes.orderCreated)
                .routed(by: EventTypes.orderCreated)).int == 0)
            #expect(try await store.order("o-1") != nil)
            // The backlog the ingress sheds on counts the entry, read from the partition stream's group.
            #expect(try await store.backlog() == 1)
            await client.close()
        }
    }

    private static func accept(_ orderID: String, on store: RedisIngressStore) async throws -> AcceptResult {
        let card = VaultedCard(number: "4242424242424242")
        let items = [OrderItem(sku: "MUG-1", quantity: 1)]
        let created = OrderCreated(orderId: orderID, customerId: "c-1", items: items, payment: card.payment)
        let event = CloudEvent(source: "switchboard/test", type: EventTypes.orderCreated, correlationID: orderID,
                               traceparent: nil, payload: created)
        let order = AcceptedOrder(orderId: orderID, customerId: "c-1", items: items, acceptedAt: "2026-12-01T00:00:00Z")
        return try await store.accept(event, order: order, card: card, idempotency: nil)
    }
}
