import Synchronization

/// Deadlines of many waiters kept by one timer, rather than a timer (a `Task.sleep`) each: on a hot path
/// where nearly every wait ends long before its deadline, a timer per wait costs a timer registration and a
/// cancellation every time, and wakes the runtime's timer thread for each.
///
/// The timer is armed for the earliest deadline. A new deadline re-arms it only when it is earlier (with
/// one timeout for every wait, never); when it fires it runs the expired deadlines' actions and re-arms for
/// the earliest deadline left. A deadline cancelled before it passes is taken out at once, so only live
/// waits are kept.
public final class DeadlineTimer: Sendable {
    /// Names one scheduled deadline, for `cancel(_:)`.
    public struct Token: Hashable, Sendable {
        fileprivate let value: Int
    }

    private struct Armed {
        var deadline: ContinuousClock.Instant
        var timer: Task<Void, Never>
        /// Tells the armed timer from one it replaced that fires anyway.
        var generation: Int
    }

    private struct State {
        var scheduled: [Token: (deadline: ContinuousClock.Instant, expire: @Sendable () -> Void)] = [:]
        var nextToken = 0
        var armed: Armed?
        var generations = 0
    }

    private let state = Mutex(State())

    /// Creates a timer with no deadlines; its task runs only while a deadline is scheduled.
    public init() {}

    /// Calls `expire` once `deadline` passes, unless `cancel(_:)` comes first.
    /// - Returns: the token that cancels it.
    public func schedule(at deadline: ContinuousClock.Instant, _ expire: @escaping @Sendable () -> Void) -> Token {
        let (token, replaced) = state.withLock { state -> (Token, Task<Void, Never>?) in
            let token = Token(value: state.nextToken)
            state.nextToken += 1
            state.scheduled[token] = (deadline, expire)
            if let armed = state.armed, armed.deadline <= deadline { return (token, nil) }
            let replaced = state.armed?.timer
            arm(at: deadline, in: &state)
            return (token, replaced)
        }
        replaced?.cancel()
        return token
    }

    /// Forgets a deadline: its wait ended. Nothing happens when it expired already.
    public func cancel(_ token: Token) {
        state.withLock { _ = $0.scheduled.removeValue(forKey: token) }
    }

    /// How many deadlines are scheduled.
    public var count: Int {
        state.withLock { $0.scheduled.count }
    }

    /// Suspends until `deadline`, like `Task.sleep(until:)` but on this shared timer; returns early when the
    /// task is cancelled.
    public func sleep(until deadline: ContinuousClock.Instant) async {
        let sleeper = Sleeper()
        let token = schedule(at: deadline) { sleeper.wake() }
        await withTaskCancellationHandler {
            await sleeper.wait()
        } onCancel: {
            sleeper.wake()
        }
        cancel(token)
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

    /// Runs the actions of the deadlines that passed and re-arms for the earliest left.
    private func fire(_ generation: Int) {
        let now = ContinuousClock.now
        let expired = state.withLock { state -> [@Sendable () -> Void] in
            guard state.armed?.generation == generation else { return [] }
            state.armed = nil
            let expired = state.scheduled.filter { $0.value.deadline <= now }
            for token in expired.keys { state.scheduled[token] = nil }
            if let earliest = state.scheduled.values.map(\.deadline).min() { arm(at: earliest, in: &state) }
            return expired.values.map(\.expire)
        }
        expired.forEach { $0() }
    }
}

/// One `DeadlineTimer.sleep(until:)`: woken once, by its deadline or by cancellation, whichever comes first,
/// whether or not it is suspended yet.
private final class Sleeper: Sendable {
    private enum State {
        case running
        case suspended(CheckedContinuation<Void, Never>)
        case woken
    }

    private let state = Mutex(State.running)

    func wait() async {
        await withCheckedContinuation { continuation in
            let woken = state.withLock { state -> Bool in
                if case .woken = state { return true }
                state = .suspended(continuation)
                return false
            }
            if woken { continuation.resume() }
        }
    }

    func wake() {
        let waiting = state.withLock { state -> CheckedContinuation<Void, Never>? in
            defer { state = .woken }
            if case .suspended(let continuation) = state { return continuation }
            return nil
        }
        waiting?.resume()
    }
}
