#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import EventBus
import EventBusRedis
import RedisClient
import Telemetry

/// A `SystemReader` over Redis: heartbeats and published metrics by `SCAN` and `MGET`, trace logs by
/// `XRANGE` (and `XREAD BLOCK` to follow one), `PING`, and the Sentinels' view with a `redis+sentinel://` URL.
/// It only reads.
public struct RedisSystemReader: SystemReader {
    /// How long one blocking read of a trace log waits for new events while following it, in milliseconds.
    static let followBlockMilliseconds = 1000

    private let client: RedisClient
    private let makeFollowingClient: @Sendable () -> RedisClient

    /// Creates the reader.
    /// - Parameters:
    ///   - client: the connection to use.
    ///   - followingClient: makes a connection of its own for each follower of a trace log, whose
    ///     blocking reads must not hold up other reads; by default a client like `client`.
    public init(client: RedisClient, followingClient: (@Sendable () -> RedisClient)? = nil) {
        self.client = client
        self.makeFollowingClient = followingClient ?? { client }
    }

    public func instances() async throws(EventBusError) -> [InstanceHeartbeat] {
        try await values(prefix: InstanceHeartbeat.keyPrefix).compactMap { _, value in
            try? JSONDecoder().decode(InstanceHeartbeat.self, from: Data(value))
        }
    }

    public func metricsSnapshots() async throws(EventBusError) -> [(instance: String, snapshot: MetricsSnapshot)] {
        try await values(prefix: MetricsSnapshot.keyPrefix).compactMap { key, value in
            guard let snapshot = try? JSONDecoder().decode(MetricsSnapshot.self, from: Data(value)) else { return nil }
            return (String(key.dropFirst(MetricsSnapshot.keyPrefix.count)), snapshot)
        }
    }

    /// Every key with `prefix` (`SCAN`, on every primary of a cluster) and its value (a pipeline of `GET`s,
    /// each routed by its key: one `MGET` would span slots on a cluster).
    private func values(prefix: String) async throws(EventBusError) -> [(key: String, value: [UInt8])] {
        let keys = try await EventBusError.mapping { () async throws(RedisError) in
            try await client.scan(matching: "\(prefix)*")
        }
        guard !keys.isEmpty else { return [] }
        let values = try await EventBusError.mapping { () async throws(RedisError) in
            try await client.pipeline(keys.map { RedisCommand("GET", $0).routed(by: $0) })
        }
        return zip(keys, values).compactMap { key, value in value.bytes.map { (key, $0) } }
    }

    public func trace(_ correlationID: String) async throws(EventBusError) -> [CloudEvent] {
        let key = TraceLog.key(for: correlationID)
        let reply = try await EventBusError.mapping { () async throws(RedisError) in
            try await client.send(RedisCommand("XRANGE", key, "-", "+").routed(by: key))
        }
        return TraceLog.causalOrder(Self.events(in: reply).map(\.event))
    }

    /// The events already in the trace log, in causal order, then each event appended after them, read
    /// with `XREAD BLOCK` on a connection of the follower's own. The stream ends when its consumer stops,
    /// or when Redis fails (the client then reconnects and asks again).
    public func follow(_ correlationID: String) -> AsyncStream<CloudEvent> {
        let key = TraceLog.key(for: correlationID)
        let client = self.client
        let makeFollowingClient = self.makeFollowingClient
        let (events, continuation) = AsyncStream<CloudEvent>.makeStream()
        let task = Task {
            let follower = makeFollowingClient()
            do throws(RedisError) {
                let past = Self.events(in: try await client.send(RedisCommand("XRANGE", key, "-", "+").routed(by: key)))
                for event in TraceLog.causalOrder(past.map(\.event)) { continuation.yield(event) }
                var position = past.last?.id ?? "0-0"
                while !Task.isCancelled {
                    let reply = try await follower.send(RedisCommand("XREAD", "BLOCK", Self.followBlockMilliseconds,
                                                                     "STREAMS", key, position).routed(by: key))
                    guard let entries = reply.array?.first?.array?.last else { continue }
                    let read = Self.events(in: entries)
                    for entry in read { continuation.yield(entry.event) }
                    position = read.last?.id ?? position
                }
            } catch {}
            await follower.close()
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return events
    }

    /// The events of `XRANGE`-shaped entries, `[[id, [field, value, …]], …]`, with their entry ids;
    /// entries that are not events are skipped.
    private static func events(in reply: RedisReply) -> [(id: String, event: CloudEvent)] {
        RedisStreamEntry.entries(in: reply).compactMap { entry in
            guard let bytes = entry.fields[TraceLog.eventField], let event = try? CloudEvent(envelope: bytes) else {
                return nil
            }
            return (entry.id, event)
        }
    }

    public func ping() async throws(EventBusError) -> Duration {
        let start = ContinuousClock.now
        _ = try await EventBusError.mapping { () async throws(RedisError) in try await client.send("PING") }
        return ContinuousClock.now - start
    }

    public func sentinel() async -> RedisSentinelStatus? {
        await client.sentinelStatus()
    }
}
