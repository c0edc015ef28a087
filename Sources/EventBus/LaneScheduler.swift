import Containers
import Synchronization

/// Hands the lanes that `RecordLanes` starts to the runner's child tasks, so a runner does not create a task
/// per message, busy or not.
///
/// A child that finishes its lane takes the next waiting one (`next`); when none waits it parks there, and
/// the next lane started goes to a parked child (`admit` resumes it) rather than to a new task. A child is
/// created only when none is parked and fewer than `limit` are alive, so a runner keeps as many children as
/// it once needed at the same time, never more than `limit`, and they end when the runner closes the
/// scheduler (`close`): then parked children end at once and the others once no lane waits. At most `limit`
/// lanes are worked on at once; when `limit` more wait, the runner stops taking messages until a child takes
/// one (`waitForRoom`), which pushes back on the transport.
///
/// Creating a task, its first allocation slab and its completion cost more than the whole handling of a
/// small message's bookkeeping; resuming a parked child costs one enqueue on its executor.
final class LaneScheduler<Item: Sendable>: Sendable {
    private struct State {
        /// Lanes no child has taken yet, oldest first; empty while a child is parked.
        var waiting = FIFOQueue<Item>()
        /// Children alive, parked ones included (each works on one lane at a time).
        var children = 0
        /// Children waiting for a lane, last parked last; they are resumed with a lane, or with `nil` to end.
        var parked: [UnsafeContinuation<Item?, Never>] = []
        /// Whether the runner takes no more messages: children end instead of parking.
        var closed = false
        /// The runner, waiting for room (`waitForRoom`).
        var roomWaiter: UnsafeContinuation<Void, Never>?

        /// Takes the oldest waiting lane, and the runner waiting for room once fewer than `limit` wait.
        mutating func take(limit: Int) -> Taken? {
            guard let item = waiting.popFirst() else { return nil }
            return Taken(item: item, roomWaiter: waiting.count < limit ? roomWaiter.take() : nil)
        }
    }

    private let state = Mutex(State())
    /// How many children run at most, and how many lanes wait at most before the runner stops taking messages.
    let limit: Int

    /// Creates a scheduler for at most `limit` children.
    init(limit: Int) {
        self.limit = max(limit, 1)
    }

    /// Takes a started lane: `true` when the caller starts a child with it (it was counted in); `false` when a
    /// parked child was given it or it waits for a child to finish.
    func admit(_ item: Item) -> Bool {
        let (startChild, parkedChild) = state.withLock { state -> (Bool, UnsafeContinuation<Item?, Never>?) in
            if let child = state.parked.popLast() { return (false, child) }
            guard state.children >= limit else {
                state.children += 1
                return (true, nil)
            }
            state.waiting.append(item)
            return (false, nil)
        }
        parkedChild?.resume(returning: item)
        return startChild
    }

    /// For a child that finished its lane: the next waiting lane, at once or once one is started; `nil` when
    /// the scheduler is closed and none waits (the child then ends, counted out).
    func next() async -> Item? {
        if let taken = take() { return taken.item }
        return await withUnsafeContinuation { (child: UnsafeContinuation<Item?, Never>) in
            let taken = state.withLock { state -> Taken? in
                if let taken = state.take(limit: limit) { return taken }
                if state.closed {
                    state.children -= 1
                    return Taken(item: nil, roomWaiter: nil)
                }
                state.parked.append(child)
                return nil
            }
            guard let taken else { return }
            taken.roomWaiter?.resume()
            child.resume(returning: taken.item)
        }
    }

    /// A waiting lane, taken without parking, with the runner to resume if that made room; `nil` when none waits.
    private func take() -> Taken? {
        guard let taken = state.withLock({ $0.take(limit: limit) }) else { return nil }
        taken.roomWaiter?.resume()
        return taken
    }

    /// Takes no more lanes: parked children end now, the others once no lane waits. The runner calls it when
    /// it stops taking messages, so its task group can finish.
    func close() {
        let parked = state.withLock { state in
            state.closed = true
            state.children -= state.parked.count
            defer { state.parked.removeAll() }
            return state.parked
        }
        for child in parked { child.resume(returning: nil) }
    }

    /// How many slots the queue of waiting lanes keeps, taken ones included (what `State.waiting` keeps alive).
    var storedSlots: Int {
        state.withLock { $0.waiting.storedSlots }
    }

    /// How many children are alive, parked ones included, and how many of them are parked.
    var childCount: (alive: Int, parked: Int) {
        state.withLock { ($0.children, $0.parked.count) }
    }

    /// Returns once fewer than `limit` lanes wait: at once, or when a child takes one. One caller at a time
    /// (the runner).
    func waitForRoom() async {
        // Room at once, the usual case: no continuation is made.
        guard state.withLock({ $0.waiting.count >= limit }) else { return }
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let hasRoom = state.withLock { state in
                guard state.waiting.count >= limit else { return true }
                precondition(state.roomWaiter == nil, "LaneScheduler.waitForRoom has one caller at a time")
                state.roomWaiter = continuation
                return false
            }
            if hasRoom { continuation.resume() }
        }
    }

    /// A lane a child takes, and the runner to resume because that made room.
    private struct Taken {
        var item: Item?
        var roomWaiter: UnsafeContinuation<Void, Never>?
    }
}
