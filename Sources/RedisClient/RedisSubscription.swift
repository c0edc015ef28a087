/// A running subscription: change its channels and patterns, or `cancel()` it.
public final class RedisSubscription: Sendable {
    private let backing: Backing

    /// One connection, or a sharded subscription over the nodes of a cluster.
    private enum Backing: Sendable {
        case connection(SubscriptionConnection)
        case sharded(ShardedSubscription)
    }

    init(_ connection: SubscriptionConnection) {
        backing = .connection(connection)
    }

    init(sharded: ShardedSubscription) {
        backing = .sharded(sharded)
    }

    /// Ends the subscription: no event is reported after this returns, and the connection closes on the
    /// event loop's next turn. Safe from any thread, including the handler's.
    public func cancel() {
        switch backing {
        case .connection(let connection):
            connection.isCancelled.store(true, ordering: .relaxed)
            connection.loop.execute { connection.cancel() }
        case .sharded(let sharded):
            sharded.cancel()
        }
    }

    /// Subscribes to more channels and patterns, also after every reconnect.
    ///
    /// Returns once Redis confirmed them, so a message published after that reaches the handler; or at
    /// once while the subscription is reconnecting (`.subscribed` then tells when all are in place) or
    /// cancelled. Channels and patterns already subscribed are left as they are. On a sharded subscription
    /// the channels are shard channels and patterns are not accepted; on a cluster it returns once they are
    /// placed on their nodes, and `.subscribed` tells when every node confirmed them.
    /// - Parameters:
    ///   - channels: exact channel names (`SUBSCRIBE`, `SSUBSCRIBE` when sharded).
    ///   - patterns: glob patterns (`PSUBSCRIBE`).
    public func subscribe(channels: [String] = [], patterns: [String] = []) async {
        await change(adding: true, channels: channels, patterns: patterns)
    }

    /// Unsubscribes from channels and patterns, also after every reconnect.
    ///
    /// Returns once Redis confirmed it, or at once while reconnecting or cancelled. A message already on
    /// its way may still arrive.
    /// - Parameters:
    ///   - channels: exact channel names (`UNSUBSCRIBE`, `SUNSUBSCRIBE` when sharded).
    ///   - patterns: glob patterns (`PUNSUBSCRIBE`).
    public func unsubscribe(channels: [String] = [], patterns: [String] = []) async {
        await change(adding: false, channels: channels, patterns: patterns)
    }

    private func change(adding: Bool, channels: [String], patterns: [String]) async {
        switch backing {
        case .connection(let connection):
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
                connection.loop.execute {
                    connection.change(adding: adding, channels: channels, patterns: patterns, continuation: continuation)
                }
            }
        case .sharded(let sharded):
            precondition(patterns.isEmpty, "a sharded subscription has no patterns (Redis has no sharded PSUBSCRIBE)")
            await sharded.change(adding: adding, channels: channels)
        }
    }
}
