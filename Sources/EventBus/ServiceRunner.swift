import Resilience
import Telemetry

/// Runs one `EventService` on a transport: receives its messages, decodes them, and applies what the
/// service decides, dead-lettering what cannot be processed.
///
/// Messages are handled concurrently, up to `maximumConcurrency` at once. A transport failure (Redis
/// away) is retried with backoff until it succeeds or the runner is cancelled, so nothing received is
/// dropped for an outage; a message that cannot be decoded, or whose data the service rejects, goes to
/// the dead-letter store with the reason, and the runner goes on.
public struct ServiceRunner: Sendable {
    /// How a message ended.
    public enum Disposition: Sendable, Equatable {
        /// The service's commit was applied.
        case applied
        /// The service decided the event changes nothing (a duplicate).
        case ignored
        /// The message went to the dead-letter store with this reason.
        case deadLettered(reason: String)
        /// The runner was cancelled before the message was settled.
        case abandoned
    }

    private let service: any EventService
    private let transport: any EventTransport
    private let deadLetters: any DeadLetterStore
    private let instance: String
    private let logger: Logger
    private let maximumConcurrency: Int
    private let maximumConflicts = 32

    /// Creates a runner.
    /// - Parameters:
    ///   - service: the logic to run.
    ///   - transport: where messages come from and commits go.
    ///   - deadLetters: where unprocessable messages go.
    ///   - instance: this instance's name within the service's group.
    ///   - logger: the service's logger.
    ///   - maximumConcurrency: how many messages are handled at once.
    public init(
        service: any EventService, transport: any EventTransport, deadLetters: any DeadLetterStore,
        instance: String, logger: Logger, maximumConcurrency: Int = 64
    ) {
        self.service = service
        self.transport = transport
        self.deadLetters = deadLetters
        self.instance = instance
        self.logger = logger
        self.maximumConcurrency = maximumConcurrency
    }

    /// Applies the service's setup, then consumes and handles messages until cancelled.
    public func run() async {
        guard await applySetup() else { return }
        let messages = transport.consume(channels: service.subscriptions, group: service.name, consumer: instance)
        logger.info("service started", metadata: [
            "service": service.name, "instance": instance, "transport": transport.name,
            "subscriptions": service.subscriptions.joined(separator: ","),
        ])
        await withTaskGroup(of: Void.self) { group in
            var inFlight = 0
            for await message in messages {
                if inFlight >= maximumConcurrency {
                    await group.next()
                    inFlight -= 1
                }
                group.addTask { _ = await handle(message) }
                inFlight += 1
            }
        }
    }

    /// Handles one message to the end and says how it ended.
    @discardableResult
    public func handle(_ message: InboundMessage) async -> Disposition {
        let started = ContinuousClock.now
        let event: CloudEvent
        do {
            event = try CloudEvent(decoding: message.payload, channel: message.channel)
        } catch {
            return await deadLetter(message, reason: error.message)
        }
        var metadata: Logger.Metadata = [
            "service": service.name, "event.type": event.type, "event.id": event.id,
            "correlation.id": event.correlationID ?? "",
        ]
        var backoff = Backoff()
        var conflicts = 0
        while !Task.isCancelled {
            do {
                let key = try service.recordKey(for: event)
                let record = try await withRetry(&backoff) { () async throws(EventBusError) in
                    try await transport.record(key)
                }
                guard let commit = try await service.decide(event, record: record) else {
                    try await withRetry(&backoff) { () async throws(EventBusError) in
                        try await transport.acknowledge(message, group: service.name)
                    }
                    logger.debug("event changed nothing", metadata: metadata)
                    return .ignored
                }
                let result = try await withRetry(&backoff) { () async throws(EventBusError) in
                    try await transport.commit(commit, acknowledging: message, group: service.name)
                }
                guard case .applied(let fallback) = result else {
                    conflicts += 1
                    guard conflicts < maximumConflicts else {
                        return await deadLetter(message, reason: "its record \(key) kept changing under it")
                    }
                    continue
                }
                service.applied(fallback.map { commit.fallbacks[$0] } ?? commit.outcome, for: event, logger: logger)
                metadata["duration.ms"] = (ContinuousClock.now - started).millisecondsText
                logger.debug("event handled", metadata: metadata)
                return .applied
            } catch let error as CloudEventError {
                return await deadLetter(message, reason: error.message)
            } catch {
                break  // Only cancellation ends a retry loop with an EventBusError.
            }
        }
        return .abandoned
    }

    /// Applies each setup commit, retrying while the broker is away; false when cancelled first.
    private func applySetup() async -> Bool {
        var backoff = Backoff()
        for commit in service.setup {
            do {
                _ = try await withRetry(&backoff) { () async throws(EventBusError) in
                    try await transport.commit(commit, acknowledging: nil, group: service.name)
                }
            } catch {
                return false
            }
        }
        return true
    }

    private func deadLetter(_ message: InboundMessage, reason: String) async -> Disposition {
        let letter = DeadLetter(channel: message.channel, service: service.name, reason: reason,
                                payload: message.payload)
        var backoff = Backoff()
        do {
            let id = try await withRetry(&backoff) { () async throws(EventBusError) in
                try await deadLetters.add(letter)
            }
            try await withRetry(&backoff) { () async throws(EventBusError) in
                try await transport.acknowledge(message, group: service.name)
            }
            logger.warning("message dead-lettered", metadata: [
                "service": service.name, "channel": message.channel, "reason": reason, "deadletter.id": id,
            ])
            return .deadLettered(reason: reason)
        } catch {
            return .abandoned
        }
    }

    /// Runs `operation` until it succeeds, sleeping with backoff after each `EventBusError`;
    /// rethrows only once the task is cancelled.
    private func withRetry<Value>(
        _ delay: inout Backoff, _ operation: () async throws(EventBusError) -> Value
    ) async throws(EventBusError) -> Value {
        while true {
            do {
                let value = try await operation()
                delay.reset()
                return value
            } catch {
                if Task.isCancelled { throw error }
                logger.warning("broker operation failed, retrying", metadata: [
                    "service": service.name, "error": error.message,
                ])
                try? await Task.sleep(for: delay.next())
            }
        }
    }
}
