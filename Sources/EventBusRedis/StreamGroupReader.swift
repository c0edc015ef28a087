import EventBus
import Lifecycle
import RedisClient
import Resilience
import Telemetry

/// Reads one consumer group's streams for one consumer, a batch at a time, only when asked: the
/// service runner asks for the next message only when it has room, so nothing piles up in memory.
///
/// Each batch first claims entries that another consumer left pending for longer than `claimIdle`
/// (a crashed instance), then reads new entries: on one server with one `XREADGROUP … BLOCK` over every
/// stream; on a Redis Cluster, where each type is a stream per partition (`ChannelLayout`), with one
/// non-blocking `XREADGROUP` per partition over all its types' streams (one slot), pipelined per node, and
/// a short wait after a round that found nothing (`PartitionRounds`). Groups are created at start on every
/// stream (`MKSTREAM`, from the start of the stream) and again after `NOGROUP` (a stream deleted under it).
/// Every `trimInterval` it trims the streams (`StreamTrimmer`) and removes its group's consumers that
/// left (`IdleConsumerPruner`). Connection failures are retried with backoff.
actor StreamGroupReader {
    private let client: RedisClient
    /// The streams of each partition read (one group of every stream on one server).
    private let slots: [[String]]
    private let streams: [String]
    private let trimmed: [String]
    private let group: String
    private let consumer: String
    private let configuration: StreamsConfiguration
    private let logger: Logger
    private var buffer: [InboundMessage] = []
    private var groupsReady = false
    private var lastClaim: ContinuousClock.Instant?
    private var lastTrim = ContinuousClock.now
    private var backoff = Backoff()
    private var rounds: PartitionRounds

    init(client: RedisClient, types: [String], layout: ChannelLayout, group: String, consumer: String,
         configuration: StreamsConfiguration, logger: Logger) {
        self.client = client
        slots = types.isEmpty ? [] : layout.partitions.map { partition in
            types.map { layout.channel(of: $0, in: partition) }
        }
        streams = slots.flatMap { $0 }
        trimmed = Array(Set(streams + configuration.trimmedStreams.flatMap(layout.channels(of:)))).sorted()
        self.group = group
        self.consumer = consumer
        self.configuration = configuration
        self.logger = logger
        rounds = PartitionRounds(pollInterval: configuration.partitionPollInterval)
    }

    /// The next message; `nil` once the task is cancelled or shutdown is requested.
    func next(until shutdown: GracefulShutdown) async -> InboundMessage? {
        while buffer.isEmpty {
            if Task.isCancelled || shutdown.isRequested { return nil }
            do {
                try await fill()
                backoff.reset()
            } catch {
                if Task.isCancelled { return nil }
                if error.message.contains("NOGROUP") {
                    groupsReady = false
                } else {
                    logger.warning("reading streams failed, retrying", metadata: [
                        "group": group, "consumer": consumer, "error": error.message,
                    ])
                    try? await Task.sleep(for: backoff.next())
                }
            }
        }
        return buffer.removeFirst()
    }

    private func fill() async throws(RedisError) {
        if !groupsReady {
            try await createGroups()
            groupsReady = true
        }
        if ContinuousClock.now - lastTrim >= configuration.trimInterval {
            lastTrim = ContinuousClock.now
            _ = try await StreamTrimmer.trim(trimmed, maximumLength: configuration.maximumLength, on: client)
            let pruned = try await IdleConsumerPruner.prune(streams, group: group, except: consumer,
                                                            idle: configuration.consumerIdleLimit, on: client)
            if pruned > 0 {
                logger.info("removed idle consumers", metadata: ["group": group, "count": String(pruned)])
            }
        }
        if lastClaim.map({ ContinuousClock.now - $0 >= configuration.claimIdle / 2 }) ?? true {
            lastClaim = ContinuousClock.now
            try await claimAbandoned()
            if !buffer.isEmpty { return }
        }
        guard slots.count > 1 else {
            let command = RedisCommand("XREADGROUP", ["GROUP", group, consumer, "COUNT", configuration.batchSize,
                                                      "BLOCK", configuration.block.wholeMilliseconds, "STREAMS"]
                                                      + streams + streams.map { _ in ">" })
            buffer += read(try await client.send(command))
            return
        }
        // One batch spread over the partitions; orders spread evenly over them, so do entries under load.
        let count = (configuration.batchSize + slots.count - 1) / slots.count
        let commands = slots.map { streams in
            RedisCommand("XREADGROUP", ["GROUP", group, consumer, "COUNT", count, "STREAMS"]
                                       + streams + streams.map { _ in ">" }).routed(by: streams[0])
        }
        buffer += try await rounds.round(commands, on: client).flatMap(read)
        if let pause = rounds.pause(afterFinding: !buffer.isEmpty) { try? await Task.sleep(for: pause) }
    }

    /// The messages of an `XREADGROUP` reply, each with the type it carries as its channel.
    private func read(_ reply: RedisReply) -> [InboundMessage] {
        StreamEntry.entries(fromStreams: reply).map { $0.message(deliveryCount: 1) }
    }

    /// Creates the group on every stream, in one pipeline; a group that exists already is left as it is.
    private func createGroups() async throws(RedisError) {
        let commands = streams.map { RedisCommand("XGROUP", "CREATE", $0, group, "0", "MKSTREAM").routed(by: $0) }
        for (command, reply) in zip(commands, try await client.pipeline(commands)) {
            // BUSYGROUP: another instance or an earlier start made it.
            if case .error(let message) = reply, !message.hasPrefix("BUSYGROUP") {
                throw RedisError(reply: message, "Redis answered \(command.name) with an error: \(message)")
            }
        }
    }

    /// Takes over entries idle for longer than `claimIdle` (`XAUTOCLAIM` on every stream, one pipeline),
    /// with their delivery counts (`XPENDING` of the streams that had some).
    private func claimAbandoned() async throws(RedisError) {
        let claims = streams.map { stream in
            RedisCommand("XAUTOCLAIM", stream, group, consumer, configuration.claimIdle.wholeMilliseconds, "0-0",
                         "COUNT", configuration.batchSize).routed(by: stream)
        }
        let claimed = zip(streams, try await rounds.round(claims, on: client)).compactMap { stream, reply in
            let parts = reply.array ?? []
            let entries = parts.count >= 2 ? StreamEntry.entries(from: parts[1], stream: stream) : []
            return entries.isEmpty ? nil : (stream, entries)
        }
        guard !claimed.isEmpty else { return }
        let pending = try await rounds.round(claimed.map { stream, entries in
            RedisCommand("XPENDING", stream, group, "-", "+", entries.count * 2, consumer).routed(by: stream)
        }, on: client)
        for ((stream, entries), reply) in zip(claimed, pending) {
            var deliveries: [String: Int] = [:]
            for entry in reply.array ?? [] {
                if let fields = entry.array, fields.count == 4, let id = fields[0].string, let count = fields[3].int {
                    deliveries[id] = count
                }
            }
            logger.notice("claimed abandoned entries", metadata: [
                "stream": stream, "group": group, "consumer": consumer, "count": String(entries.count),
            ])
            buffer += entries.map { $0.message(deliveryCount: deliveries[$0.id] ?? 2) }
        }
    }
}
