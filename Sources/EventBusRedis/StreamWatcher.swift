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
actor StreamWatcher {
    /// Which streams to follow.
    enum Selection: Sendable {
        /// Every event stream whose name matches the glob pattern.
        case pattern(String)
        /// These streams.
        case streams([String])
    }

    private let client: RedisClient
    private let selection: Selection
    private let block: Duration
    private let logger: Logger
    private let startID: String
    private var positions: [String: String] = [:]
    private var lastDiscovery: ContinuousClock.Instant?
    private var buffer: [InboundMessage] = []
    private var backoff = Backoff()

    init(client: RedisClient, selection: Selection, block: Duration, logger: Logger) {
        self.client = client
        self.selection = selection
        self.block = block
        self.logger = logger
        let startID = "\(Int(Date().timeIntervalSince1970 * 1000))-0"
        self.startID = startID
        if case .streams(let names) = selection {
            self.positions = Dictionary(names.map { ($0, startID) }, uniquingKeysWith: { first, _ in first })
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
        let streams = positions.keys.sorted()
        let reply = try await client.send(RedisCommand("XREAD", ["COUNT", 100, "BLOCK", block.wholeMilliseconds,
                                                                 "STREAMS"] + streams + streams.map { positions[$0]! }))
        for entry in StreamEntry.entries(fromStreams: reply) {
            positions[entry.stream] = entry.id
            buffer.append(entry.message(deliveryCount: 1))
        }
    }

    private func discover() async throws(RedisError) {
        guard case .pattern(let pattern) = selection else { return }
        for name in try await client.scan(matching: pattern, type: "stream")
        where positions[name] == nil && !name.hasPrefix("switchboard:") {
            positions[name] = startID
        }
    }
}
