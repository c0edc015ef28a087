import Synchronization
import Telemetry

/// What one subscription holds between its connection and its consumer, bounded: at most `capacity`
/// messages wait; a message arriving while the inbox is full is dropped, counted
/// (`switchboard_pubsub_dropped_total`) and logged (the first of each run of drops, then every 1,000th).
///
/// This is Redis's own rule for pub/sub clients (`client-output-buffer-limit pubsub`) one step earlier:
/// a subscriber too slow for what is published loses messages rather than memory. Dropping the newest
/// message loses no more than disconnecting would (which also loses what the kernel and Redis hold), and
/// the messages already waiting keep their order. Not reading the socket instead would move the same
/// backlog into Redis until Redis disconnects the subscriber.
public final class BoundedInbox: Sendable {
    /// The messages, in arrival order, for the consumer.
    public let messages: AsyncStream<InboundMessage>
    private let continuation: AsyncStream<InboundMessage>.Continuation
    private let name: String
    private let logger: Logger
    private let metrics: MetricsRegistry?
    private let capacity: Int
    /// Drops since the last message was taken in.
    private let run = Atomic<Int>(0)

    /// Creates an empty inbox.
    /// - Parameters:
    ///   - capacity: the most messages waiting for the consumer.
    ///   - name: the subscriber, for the log and the metric's `subscriber` label (e.g. the service).
    ///   - logger: where drops are logged.
    ///   - metrics: where drops are counted.
    public init(capacity: Int, name: String, logger: Logger, metrics: MetricsRegistry?) {
        (messages, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingOldest(max(capacity, 1)))
        self.capacity = max(capacity, 1)
        self.name = name
        self.logger = logger
        self.metrics = metrics
    }

    /// Hands `message` to the consumer, or drops it when `capacity` messages already wait; returns whether
    /// it was taken in.
    @discardableResult
    public func offer(_ message: InboundMessage) -> Bool {
        switch continuation.yield(message) {
        case .enqueued:
            run.store(0, ordering: .relaxed)
            return true
        case .dropped:
            let drops = run.add(1, ordering: .relaxed).newValue
            metrics?.increment("switchboard_pubsub_dropped_total",
                               help: "Pub/sub messages dropped because the subscriber's inbox was full.",
                               labels: ["subscriber": name])
            if drops % 1000 == 1 {
                logger.warning("subscriber inbox full: dropping messages", metadata: [
                    "subscriber": name, "inbox.capacity": String(capacity), "dropped": String(drops),
                    "channel": message.channel,
                ])
            }
            return false
        case .terminated:
            return false
        @unknown default:
            return false
        }
    }

    /// Ends the messages once those waiting are consumed.
    public func finish() {
        continuation.finish()
    }

    /// Calls `handler` once the consumer stops iterating or the inbox is finished.
    public func onTermination(_ handler: @escaping @Sendable () -> Void) {
        continuation.onTermination = { _ in handler() }
    }
}
