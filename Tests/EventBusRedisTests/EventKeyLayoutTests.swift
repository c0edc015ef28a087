import EventBus
import EventBusRedis
import RedisClient
import Testing

/// Where events are kept: the type's own stream on one server, its partition streams on a cluster.
@Suite("EventKeyLayout")
struct EventKeyLayoutTests {
    private static let single = EventKeyLayout(partitioned: false)
    private static let cluster = EventKeyLayout(partitioned: true)

    @Test("a cluster URL partitions; one server and Sentinels do not")
    func byURL() throws {
        #expect(EventKeyLayout(url: try RedisURL("redis+cluster://127.0.0.1:7000,127.0.0.1:7001")).isPartitioned)
        #expect(!EventKeyLayout(url: try RedisURL("redis://127.0.0.1:6379")).isPartitioned)
        #expect(!EventKeyLayout(url: try RedisURL("redis+sentinel://127.0.0.1:26379/mymaster")).isPartitioned)
    }

    @Test("on one server a type is one stream named as the type, whatever the partition")
    func singleServer() {
        #expect(Self.single.keys(of: "order.created") == ["order.created"])
        #expect(Self.single.key(of: "order.created", in: Partition(of: "o-1")) == "order.created")
        let event = CloudEvent(source: "test", type: "order.created", data: ["orderId": "o-1"])
        #expect(Self.single.key(of: event) == "order.created")
    }

    @Test("on a cluster a type is 64 partition streams, each in the slot of its partition's records")
    func cluster() {
        let streams = Self.cluster.keys(of: "order.created")
        #expect(streams.count == Partition.count)
        #expect(streams[7] == "order.created{p07}")
        for partition in Partition.all {
            let stream = Self.cluster.key(of: "stock.reserved", in: partition)
            #expect(HashSlot(key: stream) == HashSlot(key: "order:\(partition.hashTag):o-1"))
        }
    }

    @Test("an event's partition is its data.orderId's, else its correlation id's, else its id's")
    func eventPartition() {
        let byOrder = CloudEvent(source: "test", type: "t", correlationID: "other", data: ["orderId": "o-1"])
        #expect(EventKeyLayout.partition(of: byOrder) == Partition(of: "o-1"))
        #expect(Self.cluster.key(of: byOrder) == "t{p40}")
        let byCorrelation = CloudEvent(source: "test", type: "t", correlationID: "o-2", data: ["sku": "MUG-1"])
        #expect(EventKeyLayout.partition(of: byCorrelation) == Partition(of: "o-2"))
        let byID = CloudEvent(source: "test", type: "t", data: ["sku": "MUG-1"])
        #expect(EventKeyLayout.partition(of: byID) == Partition(of: byID.id))
    }

    @Test("a stream's type is its name without a partition tag at its end")
    func typeOfKey() {
        #expect(EventKeyLayout.type(ofKey: "order.created{p07}") == "order.created")
        #expect(EventKeyLayout.type(ofKey: "order.created") == "order.created")
        #expect(EventKeyLayout.type(ofKey: "order.created{x07}") == "order.created{x07}")
        #expect(EventKeyLayout.type(ofKey: "order.created{p64}") == "order.created{p64}")
        #expect(EventKeyLayout.type(ofKey: "{p07}") == "{p07}")
    }
}
