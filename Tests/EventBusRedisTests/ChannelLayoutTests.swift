import EventBus
import EventBusRedis
import RedisClient
import Testing

/// How event channels and streams are named on one server and on a Redis Cluster; no server.
@Suite("ChannelLayout")
struct ChannelLayoutTests {
    private static let single = ChannelLayout.single
    private static let cluster = ChannelLayout.partitioned

    @Test("one server: the type itself, for every order and key; a cluster URL: the partition's channel")
    func names() throws {
        let single = ChannelLayout(url: try RedisURL("redis://127.0.0.1:6379"))
        let partitioned = ChannelLayout(url: try RedisURL("redis+cluster://127.0.0.1:7000,127.0.0.1:7001"))
        #expect(single == .single)
        #expect(partitioned == .partitioned)
        #expect(single.channel(of: "order.created", forOrder: "o-1") == "order.created")
        #expect(single.channels(of: "order.created") == ["order.created"])

        #expect(partitioned.channel(of: "order.created", forOrder: "o-1") == "order.created{p40}")
        // The channel is in the slot of the order's records.
        #expect(HashSlot(key: partitioned.channel(of: "order.created", forOrder: "o-1")) == HashSlot(key: "order:{p40}:o-1"))
        let all = partitioned.channels(of: "stock.reserved")
        #expect(all.count == Partition.count)
        #expect(Set(all.map(HashSlot.init(key:))).count == Partition.count)
        #expect(all.allSatisfy { ChannelLayout.type(ofChannel: $0) == "stock.reserved" })
        #expect(ChannelLayout.type(ofChannel: "stock.reserved") == "stock.reserved")
        #expect(ChannelLayout.type(ofChannel: "odd{name}") == "odd{name}")
    }

    @Test("ACL patterns cover both forms of a type's channels")
    func patterns() {
        let patterns = ChannelLayout.patterns(of: "order.created").map(GlobPattern.init)
        #expect(patterns.contains { $0.matches("order.created") })
        #expect(patterns.contains { $0.matches("order.created{p07}") })
        #expect(!patterns.contains { $0.matches("order.confirmed{p07}") })
    }

    @Test("a cluster URL partitions; one server and Sentinels do not")
    func byURL() throws {
        #expect(ChannelLayout(url: try RedisURL("redis+cluster://127.0.0.1:7000,127.0.0.1:7001")).isPartitioned)
        #expect(!ChannelLayout(url: try RedisURL("redis://127.0.0.1:6379")).isPartitioned)
        #expect(!ChannelLayout(url: try RedisURL("redis+sentinel://127.0.0.1:26379/mymaster")).isPartitioned)
    }

    @Test("on one server a type is one channel or stream named as the type, whatever the partition")
    func singleServer() {
        #expect(Self.single.channels(of: "order.created") == ["order.created"])
        #expect(Self.single.channel(of: "order.created", in: Partition(of: "o-1")) == "order.created")
        let event = CloudEvent(source: "test", type: "order.created", data: ["orderId": "o-1"])
        #expect(Self.single.channel(of: event) == "order.created")
    }

    @Test("on a cluster a type is 64 partition channels or streams, each in the slot of its partition's records")
    func cluster() {
        let streams = Self.cluster.channels(of: "order.created")
        #expect(streams.count == Partition.count)
        #expect(streams[7] == "order.created{p07}")
        for partition in Partition.all {
            let stream = Self.cluster.channel(of: "stock.reserved", in: partition)
            #expect(HashSlot(key: stream) == HashSlot(key: "order:\(partition.hashTag):o-1"))
        }
    }

    @Test("an event's partition is its data.orderId's, else its correlation id's, else its id's")
    func eventPartition() {
        let byOrder = CloudEvent(source: "test", type: "t", correlationID: "other", data: ["orderId": "o-1"])
        #expect(ChannelLayout.partition(of: byOrder) == Partition(of: "o-1"))
        #expect(Self.cluster.channel(of: byOrder) == "t{p40}")
        let byCorrelation = CloudEvent(source: "test", type: "t", correlationID: "o-2", data: ["sku": "MUG-1"])
        #expect(ChannelLayout.partition(of: byCorrelation) == Partition(of: "o-2"))
        let byID = CloudEvent(source: "test", type: "t", data: ["sku": "MUG-1"])
        #expect(ChannelLayout.partition(of: byID) == Partition(of: byID.id))
    }

    @Test("a channel's or stream's type is its name without a partition tag at its end")
    func typeOfChannel() {
        #expect(ChannelLayout.type(ofChannel: "order.created{p07}") == "order.created")
        #expect(ChannelLayout.type(ofChannel: "order.created") == "order.created")
        #expect(ChannelLayout.type(ofChannel: "order.created{x07}") == "order.created{x07}")
        #expect(ChannelLayout.type(ofChannel: "order.created{p64}") == "order.created{p64}")
        #expect(ChannelLayout.type(ofChannel: "{p07}") == "{p07}")
    }
}
