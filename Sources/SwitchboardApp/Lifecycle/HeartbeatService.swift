#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import EventBus
import Lifecycle
import RedisClient
import Telemetry

/// Keeps a service instance's heartbeat in Redis (`SET … EX`), refreshed three times per TTL, and
/// removes it when the instance stops, so `/health` lists exactly the live instances. A beat is
/// written every `interval` even while shutting down is pending, and the key is deleted at the end.
struct HeartbeatService: Service, CustomStringConvertible {
    /// The name in logs, e.g. `stock.heartbeat`.
    let description: String
    let heartbeat: InstanceHeartbeat
    /// State worth reporting, read at each beat, e.g. a circuit breaker's.
    let details: @Sendable () -> [String: String]
    let client: RedisClient
    let logger: Logger

    func run() async {
        let shutdown = GracefulShutdown.current
        let interval = Duration.seconds(InstanceHeartbeat.timeToLiveSeconds) / 3
        while !Task.isCancelled, !shutdown.isRequested {
            var beat = heartbeat
            let details = details()
            beat.details = details.isEmpty ? nil : details
            let value = String(decoding: (try? JSONEncoder().encode(beat)) ?? Data(), as: UTF8.self)
            do {
                _ = try await client.send("SET", heartbeat.key, value, "EX", InstanceHeartbeat.timeToLiveSeconds)
            } catch {
                logger.debug("heartbeat not written", metadata: ["service": heartbeat.service, "error": error.message])
            }
            await shutdown.sleep(for: interval)
        }
        _ = try? await client.send("DEL", heartbeat.key)
    }
}
