/// A running subscription: change its channels and patterns, or `cancel()` it.
public final class RedisSubscription: Sendable {
    private let connection: SubscriptionConnection

    init(_ connection: SubscriptionConnection) {
        self.connection = connection
    }

    /// Ends the subscription: no event is reported after this returns, and the connection closes on the
    /// event loop's next turn. Safe from any thread, including the handler's.
    public func cancel() {
        let connection = connection
        connection.isCancelled.store(true, ordering: .relaxed)
        connection.loop.execute { connection.cancel() }
    }

    /// Subscribes to more channels and patterns, also after every reconnect.
    ///
    /// Returns once Redis confirmed them, so a message published after that reaches the handler; or at
    /// once while the subscription is reconnecting (`.subscribed` then tells when all are in place) or
    /// cancelled. Channels and patterns already subscribed are left as they are.
    /// - Parameters:
    ///   - channels: exact channel names (`SUBSCRIBE`).
    ///   - patterns: glob patterns (`PSUBSCRIBE`).
    public func subscribe(channels: [String] = [], patterns: [String] = []) async {
        await change(adding: true, channels: channels, patterns: patterns)
    }

    /// Unsubscribes from channels and patterns, also after every reconnect.
    ///
    /// Returns once Redis confirmed it, or at once while reconnecting or cancelled. A message already on
    /// its way may still arrive.
    /// - Parameters:
    ///   - channels: exact channel names (`UNSUBSCRIBE`).
    ///   - patterns: glob patterns (`PUNSUBSCRIBE`).
    public func unsubscribe(channels: [String] = [], patterns: [String] = []) async {
        await change(adding: false, channels: channels, patterns: patterns)
    }

    private func change(adding: Bool, channels: [String], patterns: [String]) async {
        let connection = connection
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            connection.loop.execute {
                connection.change(adding: adding, channels: channels, patterns: patterns, continuation: continuation)
            }
        }
    }
}
