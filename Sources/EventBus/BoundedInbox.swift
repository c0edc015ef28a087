import Containers
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
    /// The messages, in arrival order, for the consumer (one at a time).
    public var messages: InboundMessages { InboundMessages(self) }

    private struct State {
        var waiting = FIFOQueue<InboundMessage>()
        /// The consumer suspended in `next()` for a message, when none waits.
        var consumer: UnsafeContinuation<InboundMessage?, Never>?
        var isFinished = false
        var onTermination: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())
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
        self.capacity = max(capacity, 1)
        self.name = name
        self.logger = logger
        self.metrics = metrics
    }

    /// Hands `message` to the consumer, or drops it when `capacity` messages already wait; returns whether
    /// it was taken in (never after the inbox ended).
    @discardableResult
    public func offer(_ message: InboundMessage) -> Bool {
        enum Outcome {
            case handedOver(UnsafeContinuation<InboundMessage?, Never>)
            case enqueued
            case dropped
            case ended
        }
        let outcome = state.withLock { state -> Outcome in
            if state.isFinished { return .ended }
            if let consumer = state.consumer {
                state.consumer = nil
                return .handedOver(consumer)
            }
            guard state.waiting.count < capacity else { return .dropped }
            state.waiting.append(message)
            return .enqueued
        }
        switch outcome {
        case .handedOver(let consumer):
            consumer.resume(returning: message)
            run.store(0, ordering: .relaxed)
            return true
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
        case .ended:
            return false
        }
    }

    /// The next message: one that waits is taken at once; otherwise the consumer suspends until one is offered.
    /// `nil` once the inbox is finished and empty, or when the consuming task is cancelled (which ends the
    /// inbox, dropping what waits).
    public func next() async -> InboundMessage? {
        if Task.isCancelled {
            end(dropping: true)
            return nil
        }
        let taken = state.withLock { state -> InboundMessage?? in
            if let message = state.waiting.popFirst() { return .some(message) }
            return state.isFinished ? .some(nil) : nil
        }
        if let taken { return taken }
        return await withTaskCancellationHandler {
            await withUnsafeContinuation { (consumer: UnsafeContinuation<InboundMessage?, Never>) in
                let ready = state.withLock { state -> InboundMessage?? in
                    if let message = state.waiting.popFirst() { return .some(message) }
                    if state.isFinished { return .some(nil) }
                    precondition(state.consumer == nil, "BoundedInbox: next() called by two consumers at once")
                    state.consumer = consumer
                    return nil
                }
                if let ready { consumer.resume(returning: ready) }
            }
        } onCancel: {
            end(dropping: true)
        }
    }

    /// Ends the messages once those waiting are consumed.
    public func finish() {
        end(dropping: false)
    }

    /// Calls `handler` once the consumer is cancelled or the inbox is finished (at once if it already was).
    public func onTermination(_ handler: @escaping @Sendable () -> Void) {
        let ended = state.withLock { state -> Bool in
            if state.isFinished { return true }
            state.onTermination = handler
            return false
        }
        if ended { handler() }
    }

    /// Ends the inbox: a suspended consumer gets `nil`, the termination handler runs once.
    private func end(dropping: Bool) {
        let (consumer, handler) = state.withLock { state in
            state.isFinished = true
            if dropping { _ = state.waiting.removeAll() }
            let ending = (state.consumer, state.onTermination)
            state.consumer = nil
            state.onTermination = nil
            return ending
        }
        consumer?.resume(returning: nil)
        handler?()
    }
}
