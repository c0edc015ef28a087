import EventBus
@testable import Ingress
import Testing

/// Order ids drawn in an idempotency key's partition (docs/cluster.md).
@Suite struct OrderIdentifierTests {
    private static let hexDigits = Set("0123456789abcdef")

    private func isOrderID(_ id: String) -> Bool {
        let digits = Array(id.dropFirst(4))
        return id.hasPrefix("ord_") && digits.count == 32 && digits.allSatisfy { Self.hexDigits.contains($0) }
            && digits[12] == "4" && "89ab".contains(digits[16])
    }

    @Test func anIDWithoutAPartitionIsAnyOrderID() {
        let ids = (0..<100).map { _ in OrderIdentifier.draw() }
        #expect(ids.allSatisfy(isOrderID))
        #expect(Set(ids).count == 100)
    }

    @Test(arguments: Partition.all)
    func anIDDrawnInAPartitionIsInIt(_ partition: Partition) {
        for _ in 0..<20 {
            let id = OrderIdentifier.draw(in: partition)
            #expect(Partition(of: id) == partition)
            #expect(isOrderID(id), "\(id)")
        }
    }

    @Test func anIdempotencyKeysClaimAndItsOrderShareAPartition() {
        for key in ["k-1", "checkout-7f3a", "a very long key with spaces", "ключ"] {
            let id = OrderIdentifier.draw(in: Partition(of: key))
            #expect(Partition(taggedKey: RedisIngressStore.idempotencyKey(key))
                == Partition(taggedKey: RedisIngressStore.acceptedKey(id)))
        }
    }

    /// FNV-1a modulo 64 depends only on the hash so far modulo 64, and that is the partition of the id without
    /// its last three digits: stems in each of the 64 partitions cover every case, and from each every
    /// partition is reached within the first 312 suffixes.
    @Test func everyPartitionIsReachedFromEveryStemWithinTheFirst312Suffixes() {
        var stems: [Partition: String] = [:]
        while stems.count < Partition.count {
            let stem = String(OrderIdentifier.draw().dropLast(3))
            stems[Partition(of: stem)] = stem
        }
        let digits = Array("0123456789abcdef")
        for stem in stems.values {
            var reached: Set<Partition> = []
            for suffix in 0..<312 {
                reached.insert(Partition(of: stem + String([digits[suffix >> 8], digits[(suffix >> 4) & 0xF],
                                                            digits[suffix & 0xF]])))
            }
            #expect(reached.count == Partition.count, "\(stem) reaches \(reached.count) partitions")
        }
    }
}
