import Synchronization

/// The orders this ingress accepted and has not seen end, bounded: a place is taken before an order is
/// published and given back when its final event passes, when it was not published after all, or when
/// it expires.
///
/// Taking a place is one atomic compare-and-exchange; the order ids sit behind a lock, touched once when
/// the order is published and once when it ends.
final class PendingOrders: Sendable {
    private let limit: Int
    private let count = Atomic<Int>(0)
    private let orders = Mutex<[String: ContinuousClock.Instant]>([:])

    /// Creates an empty set.
    /// - Parameter limit: the most pending orders.
    init(limit: Int) {
        self.limit = limit
    }

    /// How many orders are pending.
    var current: Int { count.load(ordering: .relaxed) }

    /// Takes a place for `orderID` unless `limit` orders are pending; returns whether it did.
    func take(_ orderID: String) -> Bool {
        var seen = count.load(ordering: .relaxed)
        while seen < limit {
            let (exchanged, original) = count.compareExchange(expected: seen, desired: seen + 1, ordering: .relaxed)
            if exchanged {
                orders.withLock { $0[orderID] = .now }
                return true
            }
            seen = original
        }
        return false
    }

    /// Gives back the place of `orderID`, if it holds one: it ended, or was never published.
    func end(_ orderID: String) {
        guard orders.withLock({ $0.removeValue(forKey: orderID) }) != nil else { return }
        count.subtract(1, ordering: .relaxed)
    }

    /// Gives back the places of orders taken before `cutoff`; returns how many.
    func expire(before cutoff: ContinuousClock.Instant) -> Int {
        let expired = orders.withLock { orders in
            let old = orders.filter { $0.value < cutoff }.map(\.key)
            for orderID in old { orders[orderID] = nil }
            return old.count
        }
        if expired > 0 { count.subtract(expired, ordering: .relaxed) }
        return expired
    }
}
