import EventBus
import RedisClient
import Telemetry

/// What a running system says about itself in the broker: the live instances, the metrics the processes
/// published, the orders' trace logs, and whether Redis answers. `GET /health`, `GET /metrics`, the
/// dashboard, `switchboard health` and `switchboard trace` read through it.
public protocol SystemReader: Sendable {
    /// The live instances of every service, from their heartbeats (`InstanceHeartbeat`).
    func instances() async throws(EventBusError) -> [InstanceHeartbeat]

    /// The metrics every running process published (`MetricsSnapshot.keyPrefix`), by instance.
    func metricsSnapshots() async throws(EventBusError) -> [(instance: String, snapshot: MetricsSnapshot)]

    /// The events of an order's chain so far, in causal order (`TraceLog.causalOrder`), from the trace log.
    func trace(_ correlationID: String) async throws(EventBusError) -> [CloudEvent]

    /// The events of an order's chain so far, in causal order, then each one logged after them, until
    /// the consumer stops iterating; the stream ends early when the broker fails.
    func follow(_ correlationID: String) -> AsyncStream<CloudEvent>

    /// How long a `PING` takes; throws when Redis does not answer.
    func ping() async throws(EventBusError) -> Duration

    /// With Redis Sentinel: what the Sentinels and the primary they name say; `nil` without.
    func sentinel() async -> RedisSentinelStatus?
}

extension SystemReader {
    /// No Sentinel.
    public func sentinel() async -> RedisSentinelStatus? { nil }
}
