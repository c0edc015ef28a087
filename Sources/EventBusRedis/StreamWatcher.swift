#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import EventBus
import RedisClient
import Resilience
import Telemetry

/// Follows streams with `XREAD`, without a consumer group, so watching takes nothing from any service:
/// named streams, or every stream whose name matches a glob pattern, discovered with `SCAN … TYPE
/// stream` (Switchboard's own streams, `switchboard:…`, are not events and are left out). Streams are
/// followed from the moment the watcher started.
///
/// On a Redis Cluster a type is a stream per partition (`ChannelLayout`): each named type is followed in
/// every partition, with one non-blocking `XREAD` per partition per round (`PartitionRounds`), and a pattern
/// matches types, found by scanning one node per discovery (the node of the next partition in turn) for
/// partition streams whose type matches; a type found is followed in every partition.
actor StreamWatcher {
    /// Which streams to follow.
    enum Selection: Sendable {
        /// Every event stream whose name (type) matches the glob pattern.
        case pattern(String)
        /// These streams (types).
        case streams([String])
    }

    private let client: RedisClient
    private let selection: Selection
    private let layout: ChannelLayout
    private let block: Duration
    private let logger: Logger
    private let startID: String
    private var positions: [String: String] = [:]
    private var lastDiscovery: ContinuousClock.Instant?
    private var discoveries = 0
    private var buffer: [InboundMessage] = []
    private var backoff = Backoff()
    private var rounds: PartitionRounds

    init(client: RedisClient, selection: Selection, layout: ChannelLayout, configuration: StreamsConfiguration,
         logger: Logger) {
        self.client = client
        self.selection = selection
        self.layout = layout
        self.block = configuration.block
        self.logger = logger
        rounds = PartitionRounds(pollInterval: configuration.partitionPollInterval)
        let startID = "\(Int(Date().timeIntervalSince1970 * 1000))-0"
        self.startID = startID
        if case .streams(let types) = selection {
            self.positions = Dictionary(types.flatMap(layout.channels(of:)).map { ($0, startID) },
                                        uniquingKeysWith: { first, _ in first })
        }
    }

    /// The next entry of any matching stream; `nil` once the task is cancelled.
    func next() async -> InboundMessage? {
        while buffer.isEmpty {
            if Task.isCancelled { return nil }
            do {
                try await fill()
                backoff.reset()
            } catch {
                if Task.isCancelled { return nil }
                logger.warning("watching streams failed, retrying", metadata: ["error": error.message])
                try? await Task.sleep(for: backoff.next())
            }
        }
        return buffer.removeFirst()
    }

    private func fill() async throws(RedisError) {
        if lastDiscovery.map({ ContinuousClock.now - $0 > .seconds(2) }) ?? true {
            lastDiscovery = ContinuousClock.now
            try await discover()
        }
        guard !positions.isEmpty else {
            try? await Task.sleep(for: block)
            return
        }
        guard layout.isPartitioned else {
            let streams = positions.keys.sorted()
            let ids = streams.map { positions[$0]! }
            let reply = try await client.send(RedisCommand(
                "XREAD", ["COUNT", 100, "BLOCK", block.wholeMilliseconds, "STREAMS"] + streams + ids
            ))
            take(reply)
            return
        }
        let slots = Dictionary(grouping: positions.keys) { Partition(taggedKey: $0)?.index ?? -1 }.values
        let commands = slots.map { streams in
            RedisCommand("XREAD", ["COUNT", 100, "STREAMS"] + streams + streams.map { positions[$0]! })
                .routed(by: streams[0])
        }
        for reply in try await rounds.round(commands, on: client) { take(reply) }
        if let pause = rounds.pause(afterFinding: !buffer.isEmpty) { try? await Task.sleep(for: pause) }
    }

    /// Buffers the entries of an `XREAD` reply and moves the streams' positions past them.
    private func take(_ reply: RedisReply) {
        for entry in StreamEntry.entries(fromStreams: reply) {
            positions[entry.stream] = entry.id
            buffer.append(entry.message(deliveryCount: 1))
        }
    }

    private func discover() async throws(RedisError) {
        guard case .pattern(let pattern) = selection else { return }
        let found: [String]
        if layout.isPartitioned {
            let partition = Partition.all[discoveries % Partition.count]
            discoveries += 1
            found = try await client.scan(matching: pattern + "{p[0-9][0-9]}", type: "stream",
                                          routedBy: partition.hashTag)
        } else {
            found = try await client.scan(matching: pattern, type: "stream")
        }
        for name in found where !name.hasPrefix("switchboard:") {
            for stream in layout.channels(of: ChannelLayout.type(ofChannel: name)) where positions[stream] == nil {
                positions[stream] = startID
            }
        }
    }
}
