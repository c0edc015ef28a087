#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A thread that drives Redis connections, clients and subscriptions alike, with hiredis's non-blocking
/// API on an `epoll` set.
///
/// Callers never block and never wait for a thread of their own: a request goes into the loop's inbox and
/// its caller suspends; the loop appends every request that arrived since its last turn to its
/// connection's output buffer and writes each buffer once, reads whatever replies came, matches them in
/// order to their callers and resumes those directly. A submitter wakes the loop (a write to an eventfd)
/// only when the loop is asleep in `epoll_wait`, so under load requests cost no system call of their own.
/// While replies to requests it wrote within `replyWindow` are still due, the loop counts as awake even in
/// `epoll_wait`: those replies wake it soon anyway, and it waits no longer than the window's end, so a
/// request submitted meanwhile rides along with them instead of costing a wake-up (a write, and a switch to
/// the loop's thread) of its own, and waits at most the window.
///
/// The loop is also a `TaskExecutor`: a task that prefers it runs on its thread, beside the connections it
/// talks to, so a reply resumes its caller in the same turn without a hand-off to another thread (and the
/// requests that caller makes next go out in that turn's write).
///
/// A process has `shared`, used by every `RedisClient` and `RedisSubscriber` unless their
/// `RedisConfiguration` names another, and may spread its connections, with the tasks using them, over one
/// loop per core (`perCore`). Each loop's thread starts with its first request and lives as long as the
/// process. Everything a connection owns is touched only on its loop's thread; `submit` and `execute` are
/// the ways in from other threads. What runs on the loop's thread (jobs of the tasks preferring it,
/// subscription handlers) must never block it.
public final class RedisEventLoop: Sendable {
    /// The process's default loop.
    public static let shared = RedisEventLoop()

    /// One loop per core, `shared` first: for a process that runs several services, each with its own
    /// connections and tasks on one of them. Loops no one uses cost nothing (their threads never start).
    public static let perCore: [RedisEventLoop] = [shared] + (1..<coreCount).map { _ in RedisEventLoop() }

    private static var coreCount: Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// How long after writing requests the loop counts on their replies to wake it: see the type's comment.
    static let replyWindow: Duration = .milliseconds(1)

    /// What other threads hand the loop, and whether it is awake to see it without being woken.
    private struct Inbox {
        var requests: [PendingRequest] = []
        var tasks: [@Sendable () -> Void] = []
        var jobs: [UnownedJob] = []
        var isAwake = false
        var isStarted = false

        var isEmpty: Bool { requests.isEmpty && tasks.isEmpty && jobs.isEmpty }

        /// Marks the loop awake; returns what the caller must do so the loop sees the inbox.
        mutating func claimWakeUp() -> WakeUp {
            guard !isAwake else { return .none }
            isAwake = true
            guard isStarted else {
                isStarted = true
                return .startThread
            }
            return .wake
        }
    }

    private enum WakeUp {
        case none, wake, startThread
    }

    /// The loop thread's own state, touched by no other thread: why it may be `@unchecked Sendable`.
    private final class ThreadState: @unchecked Sendable {
        var handlers: [UInt64: any EventLoopHandler] = [:]
        var nextHandlerID: UInt64 = 1
        var needsFlush: Set<UInt64> = []
        var now = ContinuousClock.now
        var spareRequests: [PendingRequest] = []
        var spareTasks: [@Sendable () -> Void] = []
        var spareJobs: [UnownedJob] = []
        /// Requests in flight whose replies come promptly (not blocking reads).
        var promptRequestsInFlight = 0
        /// The turn that last wrote a prompt request.
        var lastPromptWrite: ContinuousClock.Instant?

        /// Until when the loop may wait without being woken for new requests: replies are due soon.
        var replyWindowEnd: ContinuousClock.Instant? {
            guard promptRequestsInFlight > 0, let lastPromptWrite else { return nil }
            let end = lastPromptWrite + RedisEventLoop.replyWindow
            return end > now ? end : nil
        }
    }

    private let poller = EventPoller()
    private let inbox = Mutex(Inbox())
    private let state = ThreadState()

    private init() {}

    // MARK: - From any thread

    /// Hands a request to its connection, on the loop's thread.
    func submit(_ request: PendingRequest) {
        let wakeUp = inbox.withLock { inbox in
            inbox.requests.append(request)
            return inbox.claimWakeUp()
        }
        perform(wakeUp)
    }

    /// Runs `task` on the loop's thread, after the requests submitted before it.
    func execute(_ task: @escaping @Sendable () -> Void) {
        let wakeUp = inbox.withLock { inbox in
            inbox.tasks.append(task)
            return inbox.claimWakeUp()
        }
        perform(wakeUp)
    }

    /// Runs a Swift concurrency job on the loop's thread (see `TaskExecutor`), after the requests submitted
    /// before it.
    private func schedule(_ job: UnownedJob) {
        let wakeUp = inbox.withLock { inbox in
            inbox.jobs.append(job)
            return inbox.claimWakeUp()
        }
        perform(wakeUp)
    }

    private func perform(_ wakeUp: WakeUp) {
        switch wakeUp {
        case .none: break
        case .wake: poller.wake()
        case .startThread: EventPoller.startThread { self.run() }
        }
    }

    // MARK: - On the loop's thread only

    /// The time at the start of the current turn: one clock read per turn, not per request.
    var now: ContinuousClock.Instant { state.now }

    /// Adds a handler; its events, deadlines and flushes are routed to it by the returned ID until `remove`.
    func add(_ handler: any EventLoopHandler) -> UInt64 {
        let id = state.nextHandlerID
        state.nextHandlerID += 1
        state.handlers[id] = handler
        return id
    }

    /// Counts a request that went out (or waits for its connection) until `requestCompleted`.
    func requestWentOut(_ request: PendingRequest) {
        guard request.isPrompt else { return }
        state.promptRequestsInFlight += 1
        state.lastPromptWrite = state.now
    }

    /// Stops counting a request counted by `requestWentOut`: it was answered or failed.
    func requestCompleted(_ request: PendingRequest) {
        guard request.isPrompt else { return }
        state.promptRequestsInFlight -= 1
        assert(state.promptRequestsInFlight >= 0, "a request completed twice")
    }

    /// Removes a handler for good (its client or subscription is gone).
    func remove(_ id: UInt64) {
        state.handlers[id] = nil
        state.needsFlush.remove(id)
    }

    /// Asks for the handler's `flush()` at the end of this turn, after every request of the turn is appended.
    func scheduleFlush(_ id: UInt64) {
        state.needsFlush.insert(id)
    }

    /// Watches a handler's socket; `generation` tells that socket's events from those of an earlier one.
    func watch(_ descriptor: Int32, handler id: UInt64, generation: UInt32, writable: Bool) {
        poller.watch(descriptor, token: Self.token(id, generation), writable: writable)
    }

    /// Changes whether a watched socket is also watched for writing.
    func change(_ descriptor: Int32, handler id: UInt64, generation: UInt32, writable: Bool) {
        poller.change(descriptor, token: Self.token(id, generation), writable: writable)
    }

    /// Stops watching a socket, before it is closed.
    func forget(_ descriptor: Int32) {
        poller.forget(descriptor)
    }

    private static func token(_ id: UInt64, _ generation: UInt32) -> UInt64 {
        id << 32 | UInt64(generation)
    }

    /// One turn after another: wait (without being woken for new requests while replies are due, see
    /// `replyWindow`), handle ready sockets, take the inbox (running the jobs it holds and those they
    /// enqueue in turn, up to `inboxRounds` times), write, then fire deadlines.
    private func run() {
        var nextDeadline: ContinuousClock.Instant?
        while true {
            let replyWindowEnd = state.replyWindowEnd
            let mayBlock = inbox.withLock { inbox in
                guard inbox.isEmpty else { return false }
                inbox.isAwake = replyWindowEnd != nil
                return true
            }
            let wakeUp = Self.earlier(nextDeadline, replyWindowEnd)
            let timeout: Duration? = mayBlock ? wakeUp.map { $0 - ContinuousClock.now } : .zero
            var markedAwake = !mayBlock
            poller.wait(timeout: timeout) { token, readiness in
                if !markedAwake {
                    // Replies resume callers whose jobs come back to this loop: no wake-up needed for those.
                    markedAwake = true
                    inbox.withLock { $0.isAwake = true }
                }
                state.handlers[token >> 32]?.handle(readiness, generation: UInt32(truncatingIfNeeded: token))
            }
            state.now = ContinuousClock.now
            for _ in 0..<Self.inboxRounds where takeInbox() {}
            flush()
            nextDeadline = fireDeadlines()
        }
    }

    /// The earlier of two instants, either of which may be missing (no array built for it: this runs every turn).
    private static func earlier(
        _ first: ContinuousClock.Instant?, _ second: ContinuousClock.Instant?
    ) -> ContinuousClock.Instant? {
        guard let first else { return second }
        guard let second else { return first }
        return min(first, second)
    }

    /// How many times a turn takes the inbox again when what it ran (jobs resuming and calling on) added to
    /// it: new requests then go out in this turn's write, yet a task that keeps enqueuing cannot starve the
    /// sockets.
    private static let inboxRounds = 4

    /// Takes what other threads (and jobs run here) handed in: requests to their connections, then tasks
    /// and jobs run in order. Returns whether there was anything.
    ///
    /// The arrays are swapped, never copied: the inbox gets the spare (empty, with capacity) ones, and the
    /// spares are moved out of `state` first so the inbox's arrays stay uniquely referenced and appending
    /// to them does not copy them on write.
    private func takeInbox() -> Bool {
        var requests: [PendingRequest] = []
        var tasks: [@Sendable () -> Void] = []
        var jobs: [UnownedJob] = []
        swap(&requests, &state.spareRequests)
        swap(&tasks, &state.spareTasks)
        swap(&jobs, &state.spareJobs)
        inbox.withLock { inbox in
            inbox.isAwake = true
            swap(&requests, &inbox.requests)
            swap(&tasks, &inbox.tasks)
            swap(&jobs, &inbox.jobs)
        }
        let tookAnything = !(requests.isEmpty && tasks.isEmpty && jobs.isEmpty)
        for request in requests {
            request.connection.enqueue(request)
        }
        for task in tasks {
            task()
        }
        let executor = asUnownedTaskExecutor()
        for job in jobs {
            job.runSynchronously(on: executor)
        }
        requests.removeAll(keepingCapacity: true)
        tasks.removeAll(keepingCapacity: true)
        jobs.removeAll(keepingCapacity: true)
        state.spareRequests = requests
        state.spareTasks = tasks
        state.spareJobs = jobs
        return tookAnything
    }

    private func flush() {
        while let id = state.needsFlush.popFirst() {
            state.handlers[id]?.flush()
        }
    }

    /// Calls `deadlineReached()` on every handler whose deadline passed; returns the earliest one left.
    private func fireDeadlines() -> ContinuousClock.Instant? {
        var earliest: ContinuousClock.Instant?
        for handler in state.handlers.values {
            guard var deadline = handler.deadline else { continue }
            if deadline <= state.now {
                handler.deadlineReached()
                guard let next = handler.deadline else { continue }
                deadline = next
            }
            earliest = min(earliest ?? deadline, deadline)
        }
        // A deadline handler may have appended commands (a subscription reconnecting).
        flush()
        return earliest
    }
}

extension RedisEventLoop: TaskExecutor {
    /// Runs `job` on the loop's thread, for the tasks that prefer this loop as their executor
    /// (`withTaskExecutorPreference(_:operation:)`, `Task(executorPreference:)`): see the type's comment.
    public func enqueue(_ job: consuming ExecutorJob) {
        schedule(UnownedJob(job))
    }
}
