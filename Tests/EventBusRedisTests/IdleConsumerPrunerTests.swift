import EventBus
import EventBusRedis
import RedisClient
import TestSupport
import Testing

/// The streams transport removes consumers that left its group: idle past the limit with nothing pending.
@Suite("Idle stream consumers against redis-server")
struct IdleConsumerPrunerTests {
    @Test("a consumer idle past the limit goes once nothing is pending; one with an entry pending stays until it is settled")
    func idleConsumersWithNothingPendingAreRemoved() async throws {
        try await withRedisServer { server async throws in
            let client = server.makeClient()
            // Two instances that stopped: one settled everything, one left an entry pending.
            _ = try await client.send("XGROUP", "CREATE", "order.created", "order", "0", "MKSTREAM")
            _ = try await client.send("XGROUP", "CREATECONSUMER", "order.created", "order", "host-1")
            _ = try await client.send("XADD", "order.created", "*", "event", "{}")
            _ = try await client.send("XREADGROUP", "GROUP", "order", "host-2", "COUNT", 1, "STREAMS", "order.created",
                                      ">")
            #expect(try await Self.consumers(of: "order", on: "order.created", client) == ["host-1": 0, "host-2": 1])

            let transport = RedisStreamsTransport(url: server.url, configuration: StreamsConfiguration(
                block: .milliseconds(50), claimIdle: .seconds(600), trimInterval: .milliseconds(20),
                consumerIdleLimit: .milliseconds(300)
            ), logger: .disabled)
            try await withTimeout { () async throws in
                let reading = Task {
                    for await _ in transport.consume(channels: ["order.created"], group: "order", consumer: "host-3") {}
                }
                defer { reading.cancel() }
                #expect(await eventually {
                    try await Self.consumers(of: "order", on: "order.created", client)["host-1"] == nil
                })
                // The same pass looked at host-2, idle as long, and kept it: its entry is still pending.
                #expect(try await Self.consumers(of: "order", on: "order.created", client)["host-2"] == 1)

                // Once its entry is settled (here by hand), it goes too.
                let pending = try await client.send("XPENDING", "order.created", "order", "-", "+", 1)
                let id = try #require(pending.array?.first?.array?.first?.string)
                _ = try await client.send("XACK", "order.created", "order", id)
                #expect(await eventually {
                    try await Self.consumers(of: "order", on: "order.created", client)["host-2"] == nil
                })
                // The reader's own consumer exists only once it has been served an entry (Redis 7.0).
                #expect(try await Self.consumers(of: "order", on: "order.created", client).keys.allSatisfy {
                    $0 == "host-3"
                })
            }
        }
    }

    /// The group's consumers and how many entries each has pending (`XINFO CONSUMERS`).
    private static func consumers(of group: String, on stream: String, _ client: RedisClient) async throws
        -> [String: Int]
    {
        var result: [String: Int] = [:]
        for consumer in try await client.send("XINFO", "CONSUMERS", stream, group).array ?? [] {
            let fields = consumer.array ?? []
            var info: [String: RedisReply] = [:]
            for index in stride(from: 0, to: fields.count - 1, by: 2) {
                if let name = fields[index].string { info[name] = fields[index + 1] }
            }
            if let name = info["name"]?.string { result[name] = info["pending"]?.int ?? 0 }
        }
        return result
    }
}
