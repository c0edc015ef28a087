import Lifecycle
import Telemetry

/// Runs one `EventService` on a transport: receives its messages, decodes them, and applies what the
/// service decides, dead-lettering what cannot be processed.
///
/// Messages of one record (one order) are handled one after another in the order they arrived; messages
/// of different records run concurrently, up to `maximumConcurrency` records at once. When the broker
/// is unreachable, an operation is retried with backoff until it succeeds or the runner is cancelled,
/// so nothing received is dropped for an outage. A message that cannot be decoded, whose data the
/// service rejects, whose record cannot be read (`RecordError`: the store is at fault, not the event), or
/// that was delivered more than `maximumDeliveries` times, goes to the dead-letter store with the reason
/// and is acknowledged, counted by its `Cause`. When the broker refuses an operation (say, a record key of
/// the wrong type), a redeliverable message (streams) is left pending to be tried again later, and any
/// other is dead-lettered.
public struct ServiceRunner: Sendable {
    /// How a message ended.
    public enum Disposition: Sendable, Equatable {
        /// The service's commit was applied.
        case applied
        /// The service decided the event changes nothing (a duplicate).
        case ignored
        /// The message went to the dead-letter store with this reason.
        case deadLettered(reason: String)
        /// The broker refused an operation; the message stays pending for redelivery.
        case leftPending(reason: String)
        /// The runner was cancelled before the message was settled.
        case abandoned
    }

    /// Why a message went to the dead-letter store: the `cause` label of `switchboard_events_deadlettered_total`.
    public enum Cause: String, Sendable {
        /// The message is not an event, or the service rejected its data (`CloudEventError`).
        case invalidEvent = "invalid_event"
        /// The service's stored record for it cannot be read (`RecordError`): the event may be fine.
        case unreadableRecord = "unreadable_record"
        /// Delivered more than `maximumDeliveries` times without being processed.
        case redelivered
        /// Its record changed under every one of `maximumConflicts` commits.
        case conflicts
        /// The broker refused an operation and the message cannot be redelivered.
        case refused
    }

    /// The service's name, e.g. `stock`.
    let name: String
    private let runLoop: @Sendable (GracefulShutdown) async -> Void
    private let handler: @Sendable (InboundMessage) async -> Disposition

    /// Creates a runner.
    /// - Parameters:
    ///   - service: the logic to run; its records are read as its `Record` type, once per stored version.
    ///   - transport: where messages come from and commits go.
    ///   - deadLetters: where unprocessable messages go.
    ///   - instance: this instance's name within the service's group.
    ///   - logger: the service's logger; one `info` line per event handled.
    ///   - metrics: where counts and latencies go, if anywhere.
    ///   - maximumConcurrency: how many records are worked on at once; as many more may wait, their first
    ///     message read but not started, before the runner stops taking messages (`LaneScheduler`).
    ///   - maximumDeliveries: deliveries after which a message is dead-lettered (streams).
    public init<Logic: EventService>(
        service: Logic, transport: any EventTransport, deadLetters: any DeadLetterStore,
        instance: String, logger: Logger, metrics: MetricsRegistry? = nil, maximumConcurrency: Int = 64,
        maximumDeliveries: Int = 5
    ) {
        let runner = RecordRunner(
            service: service, transport: transport, deadLetters: deadLetters, instance: instance, logger: logger,
            metrics: metrics, maximumConcurrency: maximumConcurrency, maximumDeliveries: maximumDeliveries
        )
        name = service.name
        runLoop = { shutdown in await runner.run(until: shutdown) }
        handler = { message in await runner.handle(message) }
    }

    /// Applies the service's setup, then consumes and handles messages until `shutdown` is requested
    /// (then finishes the messages it has) or the task is cancelled (then stops where it stands).
    public func run(until shutdown: GracefulShutdown = GracefulShutdown()) async {
        await runLoop(shutdown)
    }

    /// Handles one message to the end and says how it ended.
    @discardableResult
    public func handle(_ message: InboundMessage) async -> Disposition {
        await handler(message)
    }
}
