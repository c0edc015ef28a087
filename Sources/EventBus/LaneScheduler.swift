import Containers
import Synchronization

/// Hands the lanes that `RecordLanes` starts to the runner's child tasks, so a busy runner does not create a
/// task per message.
///
/// While fewer than `limit` children run, a started lane gets a child of its own (`admit` says so). Beyond
/// that it waits here, and the next child that finishes its lane takes it (`next`) instead of ending: under
/// load the children live on, each working through lane after lane, and a child ends only when nothing
/// waits. At most `limit` lanes are worked on at once, as before; when `limit` more wait, the runner stops
/// taking messages until a child takes one (`waitForRoom`), which pushes back on the transport.
///
/// Creating a task, its first allocation slab and its completion cost more than the whole handling of a
/// small message's bookkeeping; this keeps them off the path of every message but the first of a burst.
final class LaneScheduler<Item: Sendable>: Sendable {
    private struct State {
        /// Lanes no child has taken yet, oldest first.
        var waiting = FIFOQueue<Item>()
        /// Children running (each works on one lane at a time).
        var running = 0
        /// The runner, waiting for room (`waitForRoom`).
        var roomWaiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())
    /// How many children run at most, and how many lanes wait at most before the runner stops taking messages.
    let limit: Int

    /// Creates a scheduler for at most `limit` children.
    init(limit: Int) {
        self.limit = max(limit, 1)
    }

    /// Takes a started lane: `true` when the caller starts a child with it (it was counted in); `false` when
    /// it waits for a running child to take it.
    func admit(_ item: Item) -> Bool {
        state.withLock { state in
            guard state.running >= limit else {
                state.running += 1
                return true
            }
            state.waiting.append(item)
            return false
        }
    }

    /// For a child that finished its lane: the next waiting lane, or `nil` when none waits (the child then
    /// ends, counted out).
    func next() -> Item? {
        let (item, waiter) = state.withLock { state -> (Item?, CheckedContinuation<Void, Never>?) in
            guard let item = state.waiting.popFirst() else {
                state.running -= 1
                return (nil, nil)
            }
            let waiter = state.waiting.count < limit ? state.roomWaiter.take() : nil
            return (item, waiter)
        }
        waiter?.resume()
        return item
    }

    /// How many slots the queue of waiting lanes keeps, taken ones included (what `State.waiting` keeps alive).
    var storedSlots: Int {
        state.withLock { $0.waiting.storedSlots }
    }

    /// Returns once fewer than `limit` lanes wait: at once, or when a child takes one. One caller at a time
    /// (the runner).
    func waitForRoom() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let hasRoom = state.withLock { state in
                guard state.waiting.count >= limit else { return true }
                precondition(state.roomWaiter == nil, "LaneScheduler.waitForRoom has one caller at a time")
                state.roomWaiter = continuation
                return false
            }
            if hasRoom { continuation.resume() }
        }
    }
}
