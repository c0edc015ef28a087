#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import EventBus
import Lifecycle
import RedisClient
import Telemetry

/// Publishes the process's metrics to Redis every few seconds (`switchboard:metrics:<instance>`, with a
/// TTL), so the ingress's `GET /metrics` shows every process's, whichever process serves it.
struct MetricsPublisher: Service, CustomStringConvertible {
    /// How often the snapshot is written.
    static let interval = Duration.seconds(5)
    /// How long a snapshot outlives its process.
    static let timeToLiveSeconds = 15

    let description = "metrics"
    let metrics: MetricsRegistry
    let instance: String
    let client: RedisClient

    func run() async {
        let shutdown = GracefulShutdown.current
        let key = MetricsSnapshot.keyPrefix + instance
        while !Task.isCancelled, !shutdown.isRequested {
            if let json = try? JSONEncoder().encode(metrics.snapshot()) {
                _ = try? await client.send("SET", key, Array(json), "EX", Self.timeToLiveSeconds)
            }
            await shutdown.sleep(for: Self.interval)
        }
        _ = try? await client.send("DEL", key)
    }
}
