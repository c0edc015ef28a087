import Ingress
import TestSupport
import Testing

/// `RedisIngressStore.backlog()` against a real redis-server: what the ingress sheds on with streams.
@Suite("RedisIngressStore backlog")
struct RedisIngressStoreBacklogTests {
    @Test("on streams the backlog is every group's unread (lag) and unacknowledged (pending) entries; pub/sub has none")
    func backlogCountsLagAndPending() async throws {
        try await withRedisServer { server in
            let client = server.makeClient()
            let streams = RedisIngressStore(client: client, emission: .streams)
            #expect(try await streams.backlog() == 0)

            for index in 1...5 { try await server.cli("XADD", "order.created", "*", "event", "e\(index)") }
            try await server.cli("XGROUP", "CREATE", "order.created", "order", "0")
            try await server.cli("XGROUP", "CREATE", "order.created", "audit", "$")
            // `order` reads 2 (pending) of 5 (3 lag); `audit` started at the end (0).
            try await server.cli("XREADGROUP", "GROUP", "order", "c-1", "COUNT", "2", "STREAMS", "order.created", ">")
            #expect(try await streams.backlog() == 5)

            #expect(try await RedisIngressStore(client: client, emission: .publish).backlog() == nil)
            await client.close()
        }
    }
}
