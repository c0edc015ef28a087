import Resilience
import Synchronization

/// One request waiting for its order's final event (`Prefer: wait`): made before the order is published,
/// ended once, by the event (`OrderFeed`) or by its deadline.
///
/// The event resumes the waiting request directly: no stream, no task group, no actor in between, and
/// no timer of its own (the feed's `DeadlineTimer` keeps the deadlines of all waiters).
final class OrderWaiter: Sendable {
    private enum State {
        /// Nobody waits yet and nothing ended it.
        case watching
        /// A request waits.
        case suspended(UnsafeContinuation<Bool, Never>)
        /// Ended: `true` when the final event passed, `false` when the wait was given up.
        case ended(Bool)
    }

    private let state = Mutex(State.watching)
    private let deadlines: DeadlineTimer

    /// Creates a waiter; `OrderFeed.watch(_:)` makes them.
    /// - Parameter deadlines: what expires the waiter when it waits too long.
    init(deadlines: DeadlineTimer) {
        self.deadlines = deadlines
    }

    /// The final event passed: the request waiting, if any, goes on.
    func end() {
        finish(true)
    }

    /// Waits until the final event passes (`true`), at most `timeout`, or until the task is cancelled
    /// (`false`); returns at once when it passed already. Called once per waiter.
    func wait(within timeout: Duration) async -> Bool {
        if case .ended(let passed) = state.withLock({ $0 }) { return passed }
        let deadline = deadlines.schedule(at: .now + timeout) { [self] in expire() }
        defer { deadlines.cancel(deadline) }
        return await withTaskCancellationHandler {
            await withUnsafeContinuation { continuation in
                let ended = state.withLock { state -> Bool? in
                    if case .ended(let passed) = state { return passed }
                    state = .suspended(continuation)
                    return nil
                }
                if let ended { continuation.resume(returning: ended) }
            }
        } onCancel: {
            finish(false)
        }
    }

    /// The deadline passed: the request waiting, if any, goes on without the event.
    func expire() {
        finish(false)
    }

    /// Ends the waiter, first come first served, resuming the request waiting on it.
    private func finish(_ passed: Bool) {
        let waiting = state.withLock { state -> UnsafeContinuation<Bool, Never>? in
            switch state {
            case .watching:
                state = .ended(passed)
                return nil
            case .suspended(let continuation):
                state = .ended(passed)
                return continuation
            case .ended:
                return nil
            }
        }
        waiting?.resume(returning: passed)
    }
}
