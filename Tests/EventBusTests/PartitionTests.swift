import EventBus
import SagaEvents
import Testing

/// `Partition`: the hash tag every per-order key carries, so an order's keys share a Redis Cluster slot.
@Suite("Partition")
struct PartitionTests {
    @Test("an id's partition is stable: the README's o-1 is {p40}, and the tags are {p00} to {p63}")
    func stableTags() {
        #expect(Partition(of: "o-1").hashTag == "{p40}")
        #expect(Partition.tag(of: "o-2") == "{p33}")
        #expect(Partition.all.count == Partition.count)
        #expect(Partition.all.first?.hashTag == "{p00}")
        #expect(Partition.all.last?.hashTag == "{p63}")
        #expect(Set(Partition.all.map(\.hashTag)).count == 64)
    }

    @Test("ids spread evenly: ord_0 to ord_63999 put between 900 and 1,100 orders in every partition")
    func evenSpread() {
        var counts = [Int](repeating: 0, count: Partition.count)
        for index in 0..<64_000 {
            counts[Partition(of: "ord_\(index)").index] += 1
        }
        #expect(counts.allSatisfy { (900...1100).contains($0) }, "\(counts)")
    }

    @Test("an order's trace log and card vault entry carry the order's tag")
    func keysCarryTheOrdersTag() {
        let tag = Partition.tag(of: "ord_1")
        #expect(TraceLog.key(for: "ord_1") == "switchboard:trace:\(tag):ord_1")
        #expect(CardVault.key(for: "tok_1", orderID: "ord_1") == "vault:card:\(tag):tok_1")
        #expect(TraceLog.key(for: "ord_1").hasPrefix(TraceLog.keyPrefix))
    }

    @Test("a key's tag names its partition, and a partition's share of a channel carries the tag")
    func taggedKeysAndShards() {
        let partition = Partition(of: "o-1")
        #expect(Partition(taggedKey: "order:{p40}:o-1") == partition)
        #expect(Partition(taggedKey: TraceLog.key(for: "ord_9")) == Partition(of: "ord_9"))
        #expect(Partition(taggedKey: "order.created") == nil)
        #expect(Partition(taggedKey: "stock:{stock}:item:BOOK-1") == nil)
        #expect(Partition(taggedKey: "x:{p64}:y") == nil)
        #expect(Partition(taggedKey: "x:{p4") == nil)
        #expect(partition.shard(of: "order.created") == "order.created{p40}")
    }
}
