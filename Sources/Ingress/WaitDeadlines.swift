import Synchronization

/// The deadlines of the requests waiting for their orders (`OrderWaiter`), kept by one timer for all of
/// them rather than one each: a timer per request cost a timer registration and a cancellation on every
/// `Prefer: wait`, though nearly every order ends long before its deadline.
///
/// The timer is armed for the earliest deadline. A new deadline re-arms it only when it is earlier (with
/// one `wait` for every request, never); when it fires it lets the expired waiters go and re-arms for the
/// earliest deadline left. A waiter that ends is taken out at once, so only requests still waiting are kept.
final class WaitDeadlines: Sendable {
    private struct Armed {
        var deadline: ContinuousClock.Instant
        var timer: Task<Void, Never>
        /// Tells the armed timer from one it replaced that fires anyway.
        var generation: Int
    }

    private struct State {
        var waiters: [ObjectIdentifier: (deadline: ContinuousClock.Instant, waiter: OrderWaiter)] = [:]
        var armed: Armed?
        var generations = 0
    }

    private let state = Mutex(State())

    /// Creates an empty set; the timer runs only while a waiter has a deadline.
    init() {}

    /// Expires `waiter` at `deadline` unless it is removed before.
    func add(_ waiter: OrderWaiter, at deadline: ContinuousClock.Instant) {
        let replaced = state.withLock { state -> Task<Void, Never>? in
            state.waiters[ObjectIdentifier(waiter)] = (deadline, waiter)
            if let armed = state.armed, armed.deadline <= deadline { return nil }
            let replaced = state.armed?.timer
            arm(at: deadline, in: &state)
            return replaced
        }
        replaced?.cancel()
    }

    /// Forgets `waiter`'s deadline: it ended, or stopped waiting.
    func remove(_ waiter: OrderWaiter) {
        state.withLock { _ = $0.waiters.removeValue(forKey: ObjectIdentifier(waiter)) }
    }

    /// How many waiters have a deadline.
    var count: Int {
        state.withLock { $0.waiters.count }
    }

    private func arm(at deadline: ContinuousClock.Instant, in state: inout State) {
        state.generations += 1
        let generation = state.generations
        let timer = Task { [self] in
            do {
                try await Task.sleep(until: deadline, clock: .continuous)
            } catch {
                return  // replaced by an earlier deadline
            }
            fire(generation)
        }
        state.armed = Armed(deadline: deadline, timer: timer, generation: generation)
    }

    /// Expires the waiters whose deadline passed and re-arms for the earliest left.
    private func fire(_ generation: Int) {
        let now = ContinuousClock.now
        let expired = state.withLock { state -> [OrderWaiter] in
            guard state.armed?.generation == generation else { return [] }
            state.armed = nil
            let expired = state.waiters.filter { $0.value.deadline <= now }
            for id in expired.keys { state.waiters[id] = nil }
            if let earliest = state.waiters.values.map(\.deadline).min() { arm(at: earliest, in: &state) }
            return expired.values.map(\.waiter)
        }
        expired.forEach { $0.expire() }
    }
}
