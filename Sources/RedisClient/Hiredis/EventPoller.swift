import CHiredis
#if canImport(Glibc)
import Glibc
#endif

/// The event loop's kernel side: an `epoll` set of sockets, an `eventfd` that wakes the loop, and the
/// loop's thread. Like hiredis, these C calls live in this folder only.
///
/// `wake()` may be called from any thread (a write to the eventfd); everything else runs on the loop's
/// thread, which is why the type may be `@unchecked Sendable`.
final class EventPoller: @unchecked Sendable {
    /// What a socket is ready for.
    struct Readiness {
        /// Data (or the end of the stream) can be read.
        var readable: Bool
        /// The socket takes more bytes, or a non-blocking connect finished.
        var writable: Bool
        /// The socket failed or hung up; reading tells how.
        var failed: Bool
    }

    /// The token of the eventfd in the `epoll` set; sockets get other tokens.
    private static let wakeUpToken: UInt64 = 0
    private static let capacity = 256

    private let epollDescriptor: Int32
    private let wakeUpDescriptor: Int32
    private var events: UnsafeMutablePointer<epoll_event>

    /// Creates the `epoll` set and the eventfd; the program cannot talk to Redis without them.
    init() {
        epollDescriptor = epoll_create1(Int32(EPOLL_CLOEXEC))
        wakeUpDescriptor = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        precondition(epollDescriptor >= 0 && wakeUpDescriptor >= 0,
                     "cannot create the Redis event loop's epoll set or eventfd: errno \(errno)")
        events = .allocate(capacity: Self.capacity)
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = Self.wakeUpToken
        precondition(epoll_ctl(epollDescriptor, EPOLL_CTL_ADD, wakeUpDescriptor, &event) == 0,
                     "cannot watch the Redis event loop's eventfd: errno \(errno)")
    }

    /// Watches a socket for reading, and for writing when `writable`; `token` (not 0) comes back with its events.
    func watch(_ descriptor: Int32, token: UInt64, writable: Bool) {
        control(EPOLL_CTL_ADD, descriptor, token: token, writable: writable)
    }

    /// Changes whether a watched socket is also watched for writing.
    func change(_ descriptor: Int32, token: UInt64, writable: Bool) {
        control(EPOLL_CTL_MOD, descriptor, token: token, writable: writable)
    }

    /// Stops watching a socket, before it is closed.
    func forget(_ descriptor: Int32) {
        var event = epoll_event()
        _ = epoll_ctl(epollDescriptor, EPOLL_CTL_DEL, descriptor, &event)
    }

    private func control(_ operation: Int32, _ descriptor: Int32, token: UInt64, writable: Bool) {
        var event = epoll_event()
        event.events = EPOLLIN.rawValue | EPOLLRDHUP.rawValue | (writable ? EPOLLOUT.rawValue : 0)
        event.data.u64 = token
        // Fails only for a descriptor that is not a socket of ours: a bug, not a condition to handle.
        let status = epoll_ctl(epollDescriptor, operation, descriptor, &event)
        precondition(status == 0, "epoll_ctl(\(operation)) on the Redis socket \(descriptor) failed: errno \(errno)")
    }

    /// Waits until a socket is ready, the loop is woken, or `timeout` passes (`nil`: no limit), then calls
    /// `body` with the token and readiness of each ready socket. A wake-up is consumed here and reported as
    /// nothing: the caller looks at its inbox after every wait anyway.
    func wait(timeout: Duration?, _ body: (UInt64, Readiness) -> Void) {
        let milliseconds: Int32 = timeout.map { timeout in
            let (seconds, attoseconds) = timeout.components
            // Rounded up, so a deadline is never woken for just before it passes.
            return Int32(clamping: max(0, seconds * 1_000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000))
        } ?? -1
        let count = epoll_wait(epollDescriptor, events, Int32(Self.capacity), milliseconds)
        guard count > 0 else { return }  // a timeout, or EINTR
        for index in 0..<Int(count) {
            let event = events[index]
            if event.data.u64 == Self.wakeUpToken {
                var counter: UInt64 = 0
                _ = read(wakeUpDescriptor, &counter, MemoryLayout<UInt64>.size)
                continue
            }
            let flags = event.events
            body(event.data.u64, Readiness(
                readable: flags & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue) != 0,
                writable: flags & EPOLLOUT.rawValue != 0,
                failed: flags & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0
            ))
        }
    }

    /// Wakes the loop out of `wait`; safe from any thread.
    func wake() {
        var one: UInt64 = 1
        _ = Glibc.write(wakeUpDescriptor, &one, MemoryLayout<UInt64>.size)
    }

    /// The name of the loop's thread, as `/proc/<pid>/task/<tid>/comm` and `top -H` show it.
    static let threadName = "redis-loop"

    /// Runs `body` on a new detached thread, the loop's, named `threadName`.
    static func startThread(_ body: @escaping @Sendable () -> Void) {
        final class Box {
            let body: @Sendable () -> Void
            init(_ body: @escaping @Sendable () -> Void) { self.body = body }
        }
        var thread = pthread_t()
        let argument = Unmanaged.passRetained(Box(body)).toOpaque()
        let status = pthread_create(&thread, nil, { argument in
            EventPoller.nameCurrentThread()
            Unmanaged<Box>.fromOpaque(argument!).takeRetainedValue().body()
            return nil
        }, argument)
        precondition(status == 0, "cannot start the Redis event loop's thread: error \(status)")
        pthread_detach(thread)
    }

    /// Names the calling thread `threadName` (`pthread_setname_np` needs `_GNU_SOURCE`, which Swift's Glibc
    /// module lacks; the kernel's own file does the same). Only a help for humans: failures are ignored.
    private static func nameCurrentThread() {
        let descriptor = open("/proc/thread-self/comm", O_WRONLY)
        guard descriptor >= 0 else { return }
        _ = Array(threadName.utf8).withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
    }
}
