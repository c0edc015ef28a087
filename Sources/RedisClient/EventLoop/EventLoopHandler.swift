/// A connection driven by `RedisEventLoop`: it is called on the loop's thread only.
protocol EventLoopHandler: AnyObject {
    /// The socket of the given generation is ready; events of an earlier, closed socket are ignored.
    func handle(_ readiness: EventPoller.Readiness, generation: UInt32)
    /// When `deadlineReached()` must next be called (a connect or command timeout, a reconnect), if ever.
    var deadline: ContinuousClock.Instant? { get }
    /// `deadline` passed.
    func deadlineReached()
    /// Writes what was appended this turn, as `scheduleFlush` asked.
    func flush()
}
