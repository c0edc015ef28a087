import EventBus
import Foundation
import RedisClient
import SystemReads
import Telemetry
import TestSupport
import Testing

/// `RedisSystemReader` against a real redis-server: what `switchboard trace`, `switchboard health`, the
/// ingress's `GET /health`, `GET /metrics` and event streams read.
@Suite("RedisSystemReader reads heartbeats, published metrics and trace logs")
struct RedisSystemReaderTests {
    private static func heartbeat(_ service: String, _ instance: String) -> InstanceHeartbeat {
        InstanceHeartbeat(service: service, instance: instance, host: "h", pid: 7, startedAt: "2026-01-01T00:00:00Z",
                          version: "test", transport: "pubsub")
    }

    /// Appends `event` to the trace log `key` as a service's commit does.
    private static func log(_ event: CloudEvent, in key: String, on server: RedisServer) async throws {
        try await server.cli("XADD", key, "*", TraceLog.eventField, String(decoding: event.encoded(), as: UTF8.self))
    }

    private static func json(_ value: some Encodable) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }

    @Test("heartbeats are every instance's, skipping a key that is not one; published metrics are by instance")
    func instancesAndMetrics() async throws {
        try await withRedisServer { server in
            let client = server.makeClient()
            let reader = RedisSystemReader(client: client)
            #expect(try await reader.instances().isEmpty)
            #expect(try await reader.metricsSnapshots().isEmpty)

            let beats = [Self.heartbeat("stock", "s-1"), Self.heartbeat("order", "o-1")]
            for beat in beats { try await server.cli("SET", beat.key, try Self.json(beat)) }
            try await server.cli("SET", InstanceHeartbeat.keyPrefix + "stock:broken", "not json")
            let metrics = MetricsRegistry()
            metrics.increment("switchboard_test_total", help: "A test counter.", labels: [:])
            try await server.cli("SET", MetricsSnapshot.keyPrefix + "o-1", try Self.json(metrics.snapshot()))

            let instances = try await reader.instances().sorted { $0.instance < $1.instance }
            #expect(instances == beats.sorted { $0.instance < $1.instance })
            let snapshots = try await reader.metricsSnapshots()
            #expect(snapshots.map(\.instance) == ["o-1"])
            #expect(snapshots.first?.snapshot == metrics.snapshot())
            await client.close()
        }
    }

    @Test("a trace log reads in causal order whatever order the services logged in, and following it goes on")
    func traceAndFollow() async throws {
        try await withRedisServer { server in
            let client = server.makeClient()
            let reader = RedisSystemReader(client: client, followingClient: { server.makeClient() })
            let created = CloudEvent(source: "test", type: "order.created", correlationID: "ord_1", data: .null)
            let reserved = created.caused(type: "stock.reserved", source: "test", data: .null)
            let key = TraceLog.key(for: "ord_1")
            #expect(try await reader.trace("ord_1").isEmpty)
            // The stock service logged what it caused before the order service logged its cause.
            for event in [reserved, created] { try await Self.log(event, in: key, on: server) }
            #expect(try await reader.trace("ord_1").map(\.id) == [created.id, reserved.id])

            var following = reader.follow("ord_1").makeAsyncIterator()
            #expect(await following.next()?.id == created.id)
            #expect(await following.next()?.id == reserved.id)
            let confirmed = reserved.caused(type: "order.confirmed", source: "test", data: .null)
            try await Self.log(confirmed, in: key, on: server)
            #expect(await following.next()?.id == confirmed.id)
            await client.close()
        }
    }

    @Test("a ping answers while the server runs and fails once it is gone")
    func ping() async throws {
        try await withRedisServer { server in
            let client = server.makeClient()
            let reader = RedisSystemReader(client: client)
            _ = try await reader.ping()
            #expect(await reader.sentinel() == nil)
            server.stop()
            await #expect(throws: EventBusError.self) { try await reader.ping() }
            await client.close()
        }
    }
}
