import EventBus
import EventBusRedis
import RedisClient
import Testing

/// How event channels are named on one server and on a Redis Cluster; no server.
@Suite("ChannelLayout")
struct ChannelLayoutTests {
    @Test("one server: the type itself, for every order and key; a cluster URL: the partition's channel")
    func names() throws {
        let single = ChannelLayout(url: try RedisURL("redis://127.0.0.1:6379"))
        let partitioned = ChannelLayout(url: try RedisURL("redis+cluster://127.0.0.1:7000,127.0.0.1:7001"))
        #expect(single == .single)
        #expect(partitioned == .partitioned)
        #expect(single.channel(of: "order.created", forOrder: "o-1") == "order.created")
        #expect(single.channel(of: "order.created", forKey: "order:{p40}:o-1") == "order.created")
        #expect(single.channels(of: "order.created") == ["order.created"])
        #expect(single.type(ofChannel: "order.created{p40}") == "order.created{p40}")

        #expect(partitioned.channel(of: "order.created", forOrder: "o-1") == "order.created{p40}")
        #expect(partitioned.channel(of: "order.confirmed", forKey: "order:{p40}:o-1") == "order.confirmed{p40}")
        // The channel is in the slot of the order's records.
        #expect(HashSlot(key: partitioned.channel(of: "order.created", forOrder: "o-1")) == HashSlot(key: "order:{p40}:o-1"))
        let all = partitioned.channels(of: "stock.reserved")
        #expect(all.count == Partition.count)
        #expect(Set(all.map(HashSlot.init(key:))).count == Partition.count)
        #expect(all.allSatisfy { partitioned.type(ofChannel: $0) == "stock.reserved" })
        #expect(partitioned.type(ofChannel: "stock.reserved") == "stock.reserved")
        #expect(partitioned.type(ofChannel: "odd{name}") == "odd{name}")
    }

    @Test("ACL patterns cover both forms of a type's channels")
    func patterns() {
        let patterns = ChannelLayout.patterns(of: "order.created").map(GlobPattern.init)
        #expect(patterns.contains { $0.matches("order.created") })
        #expect(patterns.contains { $0.matches("order.created{p07}") })
        #expect(!patterns.contains { $0.matches("order.confirmed{p07}") })
    }
}
