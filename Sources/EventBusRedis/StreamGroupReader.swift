import EventBus
import Lifecycle
import RedisClient
import Resilience
import Telemetry

/// Reads one consumer group's streams for one consumer, a batch at a time, only when asked: the
/// service runner asks for the next message only when it has room, so nothing piles up in memory.
///
/// Each batch first claims entries that another consumer left pending for longer than `claimIdle`
/// (a crashed instance), then reads new entries with `XREADGROUP … BLOCK`. Groups are created at start
/// (`MKSTREAM`, from the start of the stream) and again after `NOGROUP` (a stream deleted under it).
/// Every `trimInterval` it trims the streams (`StreamTrimmer`) and removes its group's consumers that
/// left (`IdleConsumerPruner`). Connection failures are retried with backoff.
actor StreamGroupReader {
    private let client: RedisClient
    private let streams: [String]
    private let group: String
    private let consumer: String
    private let configuration: StreamsConfiguration
    private let logger: Logger
    private var buffer: [InboundMessage] = []
    private var groupsReady = false
    private var lastClaim: ContinuousClock.Instant?
    private var lastTrim = ContinuousClock.now
    private var backoff = Backoff()

    init(client: RedisClient, streams: [String], group: String, consumer: String,
         configuration: StreamsConfiguration, logger: Logger) {
        self.client = client
        self.streams = streams
        self.group = group
        self.consumer = consumer
        self.configuration = configuration
        self.logger = logger
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
            for stream in streams {
                do {
                    let command = RedisCommand("XGROUP", "CREATE", stream, group, "0", "MKSTREAM").routed(by: stream)
                    _ = try await client.send(command)
                } catch where error.message.contains("BUSYGROUP") {
                    // The group exists already: another instance or an earlier start made it.
                }
            }
            groupsReady = true
        }
        if ContinuousClock.now - lastTrim >= configuration.trimInterval {
            lastTrim = ContinuousClock.now
            let trimmed = Array(Set(streams + configuration.trimmedStreams)).sorted()
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
        let command = RedisCommand("XREADGROUP", ["GROUP", group, consumer, "COUNT", configuration.batchSize,
                                                  "BLOCK", configuration.block.wholeMilliseconds, "STREAMS"]
                                                  + streams + streams.map { _ in ">" })
        let reply = try await client.send(command)
        buffer += StreamEntry.entries(fromStreams: reply).map { $0.message(deliveryCount: 1) }
    }

    /// Takes over entries idle for longer than `claimIdle` (`XAUTOCLAIM`), with their delivery counts.
    private func claimAbandoned() async throws(RedisError) {
        for stream in streams {
            let reply = try await client.send(RedisCommand("XAUTOCLAIM", stream, group, consumer,
                                                           configuration.claimIdle.wholeMilliseconds, "0-0",
                                                           "COUNT", configuration.batchSize).routed(by: stream))
            guard let parts = reply.array, parts.count >= 2 else { continue }
            let claimed = StreamEntry.entries(from: parts[1], stream: stream)
            guard !claimed.isEmpty else { continue }
            let pending = try await client.send(
                RedisCommand("XPENDING", stream, group, "-", "+", claimed.count * 2, consumer).routed(by: stream)
            )
            var deliveries: [String: Int] = [:]
            for entry in pending.array ?? [] {
                if let fields = entry.array, fields.count == 4, let id = fields[0].string, let count = fields[3].int {
                    deliveries[id] = count
                }
            }
            logger.notice("claimed abandoned entries", metadata: [
                "stream": stream, "group": group, "consumer": consumer, "count": String(claimed.count),
            ])
            buffer += claimed.map { $0.message(deliveryCount: deliveries[$0.id] ?? 2) }
        }
    }
}
