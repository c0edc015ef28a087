@testable import RedisClient
import Testing

/// The cluster client's pure parts, without a server: hash slots, the topology from `CLUSTER SHARDS`, and
/// the redirection replies.
@Suite("Cluster routing")
struct ClusterRoutingTests {
    @Test("CRC16 and the slot of a key are the cluster specification's")
    func specificationValues() {
        #expect(HashSlot.crc16(Array("123456789".utf8)) == 0x31C3)
        #expect(HashSlot(key: "123456789").rawValue == 12739)
        #expect(HashSlot(key: "").rawValue == 0)
        // The examples of the `CLUSTER KEYSLOT` documentation.
        #expect(HashSlot(key: "somekey").rawValue == 11058)
        #expect(HashSlot(key: "foo{hash_tag}").rawValue == 2515)
    }

    @Test("a hash tag is the first non-empty {…}", arguments: [
        ("{user1000}.following", "user1000"), ("{user1000}.followers", "user1000"),
        ("foo{}{bar}", "foo{}{bar}"), ("foo{{bar}}zap", "{bar"), ("foo{bar}{zap}", "bar"),
        ("{p07}switchboard:order:42", "p07"), ("no tag", "no tag"), ("open{only", "open{only"),
    ])
    func hashTags(_ key: String, _ hashed: String) {
        #expect(HashSlot(key: key) == HashSlot(key: hashed))
        #expect(String(decoding: HashSlot.hashedPart(of: Array(key.utf8)), as: UTF8.self) == hashed)
    }

    @Test("slot numbers stop at 16383")
    func slotRange() {
        #expect(HashSlot(rawValue: 16383) != nil)
        #expect(HashSlot(rawValue: 16384) == nil)
    }

    @Test("the topology maps every slot to its shard's primary, a healthy one when there are two")
    func topology() throws {
        let topology = try ClusterTopology(shards: .array([
            Self.shard(slots: [0, 5460], nodes: [Self.node(7000, "master"), Self.node(7003, "replica")]),
            Self.shard(slots: [5461, 10922], nodes: [
                Self.node(7001, "master", health: "fail"), Self.node(7004, "master"),
            ]),
            Self.shard(slots: [10923, 12000, 12002, 16383], nodes: [Self.node(7002, "master")]),
        ]), answeredBy: RedisURL.Address(host: "10.0.0.9", port: 7000))
        let address = { (port: Int) in RedisURL.Address(host: "127.0.0.1", port: port) }
        #expect(topology.primary(for: HashSlot(rawValue: 0)!) == address(7000))
        #expect(topology.primary(for: HashSlot(rawValue: 5460)!) == address(7000))
        #expect(topology.primary(for: HashSlot(rawValue: 5461)!) == address(7004))
        #expect(topology.primary(for: HashSlot(rawValue: 16383)!) == address(7002))
        #expect(topology.primary(for: HashSlot(rawValue: 12001)!) == nil)
        #expect(topology.keylessPrimary == address(7000))
        #expect(topology.nodes == [address(7000), address(7004), address(7002), address(7003)])

        var moved = topology
        moved.assign(HashSlot(rawValue: 12001)!, to: address(7002))
        moved.assign(HashSlot(rawValue: 0)!, to: address(7009))
        #expect(moved.primary(for: HashSlot(rawValue: 12001)!) == address(7002))
        #expect(moved.primary(for: HashSlot(rawValue: 0)!) == address(7009))
        #expect(moved.primary(for: HashSlot(rawValue: 1)!) == address(7000))
    }

    @Test("a reply that is not CLUSTER SHARDS is refused", arguments: [
        RedisReply.simpleString("OK"), .array([]), .array([.array([.bulkString(Array("slots".utf8))])]),
        .array([shard(slots: [0, 16384], nodes: [node(7000, "master")])]),
    ])
    func malformedTopology(_ reply: RedisReply) {
        #expect(throws: RedisError.self) {
            try ClusterTopology(shards: reply, answeredBy: RedisURL.Address(host: "127.0.0.1", port: 7000))
        }
    }

    @Test("a node alone in its cluster, which does not know its own IP, is reached where it was asked")
    func nodeWithoutAddress() throws {
        let asked = RedisURL.Address(host: "10.0.0.9", port: 7000)
        let topology = try ClusterTopology(shards: .array([
            Self.shard(slots: [0, 16383], nodes: [Self.node(7000, "master", host: "")]),
        ]), answeredBy: asked)
        #expect(topology.primary(for: HashSlot(rawValue: 4242)!) == asked)
        #expect(topology.nodes == [asked])
    }

    @Test("MOVED, ASK, TRYAGAIN and CLUSTERDOWN replies are redirections; other replies are not")
    func redirections() {
        let address = RedisURL.Address(host: "127.0.0.1", port: 7001)
        #expect(ClusterRedirection(.error("MOVED 3999 127.0.0.1:7001")) == .moved(HashSlot(rawValue: 3999)!, address))
        #expect(ClusterRedirection(.error("ASK 3999 127.0.0.1:7001")) == .ask(HashSlot(rawValue: 3999)!, address))
        let ipv6 = RedisURL.Address(host: "::1", port: 7001)
        #expect(ClusterRedirection(.error("MOVED 1 ::1:7001")) == .moved(HashSlot(rawValue: 1)!, ipv6))
        #expect(ClusterRedirection(.error("TRYAGAIN Multiple keys request during rehashing of slot")) == .tryAgain)
        #expect(ClusterRedirection(.error("CLUSTERDOWN The cluster is down")) == .clusterDown)
        #expect(ClusterRedirection(.error("ERR unknown command")) == nil)
        #expect(ClusterRedirection(.error("MOVED 99999 h:1")) == nil)
        #expect(ClusterRedirection(.bulkString(Array("MOVED 1 h:1".utf8))) == nil)
    }

    private static func shard(slots: [Int], nodes: [RedisReply]) -> RedisReply {
        .array([.bulkString(Array("slots".utf8)), .array(slots.map { .number($0) }),
                .bulkString(Array("nodes".utf8)), .array(nodes)])
    }

    private static func node(_ port: Int, _ role: String, health: String = "online", host: String = "127.0.0.1")
        -> RedisReply
    {
        let fields: [(String, RedisReply)] = [
            ("id", .bulkString(Array("id\(port)".utf8))), ("port", .number(port)),
            ("ip", .bulkString(Array(host.utf8))), ("endpoint", .bulkString(Array(host.utf8))),
            ("role", .bulkString(Array(role.utf8))), ("replication-offset", .number(0)),
            ("health", .bulkString(Array(health.utf8))),
        ]
        return .array(fields.flatMap { [.bulkString(Array($0.0.utf8)), $0.1] })
    }
}
