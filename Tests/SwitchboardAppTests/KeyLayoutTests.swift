import EventBus
import Ingress
import NotificationService
import OrderService
import PaymentService
import RedisClient
import SagaEvents
import StockService
import Testing

/// The partitioned key layout (docs/cluster.md): what must share a Redis Cluster hash slot does.
@Suite("Key layout")
struct KeyLayoutTests {
    @Test("every per-order key of an order, whichever service writes it, is in the order's partition's slot")
    func perOrderKeysShareASlot() {
        for id in ["o-1", "o-2", "ord_0123456789abcdef0123456789abcdef", "x"] {
            let keys = [
                OrderKeys.order(id), PaymentKeys.payment(id), StockKeys.reservation(id), NotificationKeys.order(id),
                TraceLog.key(for: id), CardVault.key(for: "tok_1", orderID: id), RedisIngressStore.acceptedKey(id),
            ]
            let slots = Set(keys.map { HashSlot(key: $0) })
            #expect(slots == [HashSlot(key: Partition(of: id).hashTag)], "\(keys)")
        }
    }

    @Test("the stock counters share one slot, which is no partition's; the 64 partitions are 64 slots")
    func countersHaveTheirOwnSlot() {
        let counters = Set(["MUG-1", "BOOK-1", "PEN-1"].flatMap { [StockKeys.item($0), StockKeys.seeded($0)] }
            .map { HashSlot(key: $0) })
        let partitions = Set(Partition.all.map { HashSlot(key: $0.hashTag) })
        #expect(counters.count == 1)
        #expect(partitions.count == Partition.count)
        #expect(partitions.isDisjoint(with: counters))
    }
}
