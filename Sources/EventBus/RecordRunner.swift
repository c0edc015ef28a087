import Lifecycle
import Resilience
import Telemetry

/// `ServiceRunner`'s work for a service of one type: the loop, the handling of one message, and the records
/// it knows, kept as the service's `Record` read once per stored version (`VersionedRecord`).
struct RecordRunner<Logic: EventService>: Sendable {
    typealias Disposition = ServiceRunner.Disposition
    typealias Cause = ServiceRunner.Cause
    typealias Known = VersionedRecord<Logic.Record>

    let service: Logic
    private let transport: any EventTransport
    private let deadLetters: any DeadLetterStore
    private let instance: String
    private let logger: Logger
    private let metrics: MetricsRegistry?
    private let handled: HandledEventMetrics?
    private let maximumConcurrency: Int
    private let maximumDeliveries: Int
    private let maximumConflicts = 32
    private let lanes = RecordLanes<Known>()

    /// Creates a runner; the parameters are `ServiceRunner.init`'s.
    init(
        service: Logic, transport: any EventTransport, deadLetters: any DeadLetterStore, instance: String,
        logger: Logger, metrics: MetricsRegistry?, maximumConcurrency: Int, maximumDeliveries: Int
    ) {
        self.service = service
        self.transport = transport
        self.deadLetters = deadLetters
        self.instance = instance
        self.logger = logger
        self.metrics = metrics
        handled = metrics.map { HandledEventMetrics(registry: $0, service: service.name, types: service.subscriptions) }
        self.maximumConcurrency = maximumConcurrency
        self.maximumDeliveries = maximumDeliveries
    }

    /// Applies the service's setup, then consumes and handles messages until `shutdown` is requested
    /// (then finishes the messages it has) or the task is cancelled (then stops where it stands).
    func run(until shutdown: GracefulShutdown) async {
        guard await applySetup() else { return }
        let messages = transport.consume(channels: service.subscriptions, group: service.name, consumer: instance,
                                         until: shutdown)
        logger.info("service started", metadata: [
            "service": service.name, "instance": instance, "transport": transport.name,
            "subscriptions": service.subscriptions.joined(separator: ","),
        ])
        let scheduler = LaneScheduler<Lane>(limit: maximumConcurrency)
        await withDiscardingTaskGroup { group in
            for await message in messages {
                let work: DecodedMessage
                switch decode(message) {
                case .success(let decoded): work = decoded
                case .failure(let rejection):
                    _ = await deadLetter(message, reason: rejection.reason, cause: rejection.cause)
                    continue
                }
                guard case .started(let known) = lanes.enqueue(work, key: work.lane) else { continue }
                let lane = Lane(message: work, known: known)
                guard scheduler.admit(lane) else {
                    await scheduler.waitForRoom()
                    continue
                }
                group.addTask {
                    // The lane it was started for, then whichever lanes the scheduler gives it (`LaneScheduler`),
                    // until it is closed.
                    var next = Optional(lane)
                    while let started = next {
                        await handle(started)
                        next = await scheduler.next()
                    }
                }
            }
            // No more messages: children parked for a lane end, the others once the lanes they have are done.
            scheduler.close()
        }
        logger.info("service stopped", metadata: ["service": service.name, "instance": instance])
    }

    /// A record's first message, with the record as last known, as `RecordLanes.enqueue` started its lane.
    private struct Lane: Sendable {
        var message: DecodedMessage
        var known: Known?
    }

    /// Handles a lane's messages one after another, until `RecordLanes` closes it.
    private func handle(_ lane: Lane) async {
        var next = Optional((message: lane.message, known: lane.known))
        while let (current, record) = next {
            _ = await process(current, on: record)
            next = lanes.next(after: current.lane)
        }
    }

    /// Handles one message to the end and says how it ended.
    func handle(_ message: InboundMessage) async -> Disposition {
        switch decode(message) {
        case .success(let work): await process(work, on: lanes.known(work.lane))
        case .failure(let rejection): await deadLetter(message, reason: rejection.reason, cause: rejection.cause)
        }
    }

    /// Why a message cannot be processed at all.
    private struct Rejection: Error {
        var reason: String
        var cause: Cause
    }

    /// Decodes a message and finds its record, or says why it cannot be processed.
    private func decode(_ message: InboundMessage) -> Result<DecodedMessage, Rejection> {
        if message.deliveryCount > maximumDeliveries {
            return .failure(Rejection(
                reason: "delivered \(message.deliveryCount) times without being processed (limit \(maximumDeliveries))",
                cause: .redelivered
            ))
        }
        do {
            let event = try CloudEvent(decoding: message.payload, channel: message.channel)
            let lane = LaneKey(try service.recordKey(for: event))
            return .success(DecodedMessage(message: message, event: event, lane: lane, received: .now))
        } catch {
            return .failure(Rejection(reason: error.message, cause: .invalidEvent))
        }
    }

    /// Asks the service and commits, until the commit applies.
    ///
    /// The service decides on the record the runner last knew (`lastKnown`, from `RecordLanes`, kept read as the
    /// service's `Record`), or on none when it knows none, without reading it first: a conflict hands back what the
    /// broker holds, and the service decides again on that. A decision to change nothing is only trusted on a
    /// record confirmed by the broker, so a record the runner did not know is read before an event is ignored.
    ///
    /// A commit whose record asks for a `FollowUp` (an intent) is applied without acknowledging the
    /// message; the follow-up then runs and its result is committed with the acknowledgement. A confirmed
    /// record found holding an intent (a redelivery after a crash, or another instance's intent) has its
    /// follow-up run the same way, which is why a follow-up's effect must be idempotent. A step the event
    /// takes before its commit (`FollowUp.Kind.step`) runs when `decide` returns `nil`, on the record as last
    /// known (absent or not), without reading it first: a conflict of its commit hands back the record the
    /// broker holds, and the service decides again on that.
    ///
    /// Each stored version of the record is read as the service's `Record` once: the broker's (a conflict's
    /// or a read's) when it comes, a commit's outcome when it is asked whether it leaves a follow-up, then kept.
    /// One that cannot be read dead-letters the message as `unreadable_record`, and the runner forgets it.
    private func process(_ work: DecodedMessage, on lastKnown: Known?) async -> Disposition {
        var backoff = Backoff()
        var conflicts = 0
        let event = work.event
        var record = lastKnown
        var confirmed = false
        var intended = false
        while !Task.isCancelled {
            do {
                var commit: Commit
                var step: FollowUp?
                if let decided = try await service.decide(event, record: record) {
                    commit = decided
                } else {
                    // A step keeps the order's state where it runs (its answer is stored by order), so it runs on
                    // the record as last known, its commit guarded by that record's version; an intent, or no
                    // follow-up at all, is trusted on a confirmed record only.
                    let followUp = try service.followUp(after: record, for: event)
                    if !confirmed && followUp?.kind != .step {
                        let current = try await withRetry(&backoff) { () async throws(EventBusError) in
                            try await transport.record(work.key)
                        }
                        confirmed = true
                        if current != record?.stored {
                            record = try Known(current)
                            lanes.remember(record, for: work.lane)
                            continue
                        }
                    }
                    guard let followUp else {
                        try await withRetry(&backoff) { () async throws(EventBusError) in
                            try await transport.acknowledge(work.message, group: service.name)
                        }
                        finished(work, outcome: intended ? .applied : .ignored)
                        return intended ? .applied : .ignored
                    }
                    if !intended && followUp.kind == .intent {
                        logger.notice("resuming an intent found on the record", metadata: [
                            "service": service.name, "key": work.key, "follow.up": followUp.name,
                            "event.type": event.type, "event.id": event.id,
                        ])
                    }
                    commit = try await withRetry(&backoff) { () async throws(EventBusError) in
                        try await followUp.perform()
                    }
                    if followUp.kind == .step { step = followUp }
                    // Cancelled meanwhile (the process stops): the answer may be a failure the cancellation
                    // caused, so nothing is committed; the intent stays for the redelivery to resume.
                    if Task.isCancelled { break }
                }
                let left = try Known(StoredRecord(version: commit.expectedVersion + 1, fields: commit.outcome.record))
                let deferred = try leavesFollowUp(commit, outcome: left, for: event)
                var attempts = 0
                let result = try await withRetry(&backoff) { () async throws(EventBusError) in
                    // A commit that could not be made may follow a failover that lost the step's effect with
                    // the old primary (its answer came back, its write did not reach a replica): the step,
                    // idempotent, runs again before each new try, so its effect is where the commit lands.
                    attempts += 1
                    if attempts > 1, let step { commit = try await step.perform() }
                    return try await transport.commit(commit, acknowledging: deferred ? nil : work.message,
                                                      group: service.name)
                }
                switch result {
                case .applied(let fallback, let version):
                    let outcome = commit.outcome(chosenBy: fallback)
                    let stored = StoredRecord(version: version, fields: outcome.record)
                    // A fallback's record is read again (a rare branch); so is a commit the step ran again for,
                    // which is not the one whose records were read.
                    let known = fallback != nil || (attempts > 1 && step != nil)
                        ? try Known(stored) : Known(value: left.value, stored: stored)
                    lanes.remember(known, for: work.lane)
                    service.applied(outcome, for: event, logger: logger)
                    guard deferred else {
                        finished(work, outcome: .applied)
                        return .applied
                    }
                    record = known
                    confirmed = true
                    intended = true
                case .conflict(let current):
                    if confirmed {
                        metrics?.increment("switchboard_commit_conflicts_total",
                                           help: "Commits refused because the record changed since it was read.",
                                           labels: ["service": service.name])
                    }
                    confirmed = true
                    record = try Known(current)
                    lanes.remember(record, for: work.lane)
                    conflicts += 1
                    guard conflicts < maximumConflicts else {
                        return await deadLetter(work.message, reason: "its record \(work.key) kept changing under it",
                                                cause: .conflicts)
                    }
                }
            } catch let error as CloudEventError {
                return await deadLetter(work.message, reason: error.message, cause: .invalidEvent)
            } catch let error as RecordError {
                lanes.remember(nil, for: work.lane)
                return await deadLetter(work.message, reason: Self.unreadable(work.key, error),
                                        cause: .unreadableRecord)
            } catch let error as EventBusError {
                if Task.isCancelled { break }
                return await refused(work, reason: error.message)
            } catch {
                break
            }
        }
        return .abandoned
    }

    /// Whether a record `commit` may leave asks for a follow-up: then the message is acknowledged with the
    /// follow-up's result rather than with `commit`. The outcome's record comes read (`left`, which the runner
    /// keeps when the outcome applies); each fallback's is read here, and asked too once none has asked yet.
    /// - Throws: `RecordError` when a fallback's record is not the service's `Record`; what `followUp` throws.
    private func leavesFollowUp(_ commit: Commit, outcome left: Known, for event: CloudEvent) throws -> Bool {
        var asks = try service.followUp(after: left, for: event) != nil
        for fallback in commit.fallbacks {
            let record = try Known(StoredRecord(version: left.stored.version, fields: fallback.record))
            asks = try asks || service.followUp(after: record, for: event) != nil
        }
        return asks
    }

    /// The broker refused an operation: leave a redeliverable message pending, dead-letter any other.
    private func refused(_ work: DecodedMessage, reason: String) async -> Disposition {
        guard work.message.deliveryID != nil else {
            return await deadLetter(work.message, reason: "the broker refused it: \(reason)", cause: .refused)
        }
        logger.warning("broker refused an operation; the message stays pending for redelivery", metadata: [
            "service": service.name, "event.type": work.event.type, "event.id": work.event.id, "error": reason,
            "delivery": String(work.message.deliveryCount),
        ])
        metrics?.increment("switchboard_events_failed_total", help: "Events whose handling failed, by type and service.",
                           labels: ["type": work.event.type, "service": service.name])
        return .leftPending(reason: reason)
    }

    /// Logs and counts a message handled to its end.
    private func finished(_ work: DecodedMessage, outcome: HandledEventMetrics.Outcome) {
        let duration = ContinuousClock.now - work.received
        logger.info("event handled", metadata: [
            "service": service.name, "event.type": work.event.type, "event.id": work.event.id,
            "correlation.id": work.event.correlationID ?? "", "outcome": outcome.rawValue,
            "duration.ms": duration.millisecondsText,
        ])
        handled?.handled(work.event.type, outcome: outcome, duration: duration)
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
                if Task.isCancelled { return false }
                logger.error("setup commit refused", metadata: ["service": service.name, "error": error.message])
            }
        }
        return true
    }

    /// The reason a message whose record cannot be read is dead-lettered with: the store, not the event.
    static func unreadable(_ key: String, _ error: RecordError) -> String {
        "its record \(key) cannot be read (\(error.message)): the stored record is at fault, not the event; "
            + "repair the record, then replay this dead letter"
    }

    private func deadLetter(_ message: InboundMessage, reason: String, cause: Cause) async -> Disposition {
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
                "service": service.name, "channel": message.channel, "reason": reason, "cause": cause.rawValue,
                "deadletter.id": id,
            ])
            metrics?.increment("switchboard_events_deadlettered_total",
                               help: "Messages sent to the dead-letter store, by channel, service and cause.",
                               labels: ["type": message.channel, "service": service.name, "cause": cause.rawValue])
            return .deadLettered(reason: reason)
        } catch {
            logger.error("message could not be dead-lettered", metadata: [
                "service": service.name, "channel": message.channel, "reason": reason, "error": error.message,
            ])
            return .abandoned
        }
    }

    /// Runs `operation`, retrying with backoff while the broker is unavailable; a refusal (`.rejected`),
    /// or any failure once the task is cancelled, is thrown.
    private func withRetry<Value>(
        _ delay: inout Backoff, _ operation: () async throws(EventBusError) -> Value
    ) async throws(EventBusError) -> Value {
        while true {
            do {
                let value = try await operation()
                delay.reset()
                return value
            } catch {
                if Task.isCancelled || error.code != .unavailable { throw error }
                logger.warning("broker unavailable, retrying", metadata: [
                    "service": service.name, "error": error.message,
                ])
                try? await Task.sleep(for: delay.next())
            }
        }
    }
}
