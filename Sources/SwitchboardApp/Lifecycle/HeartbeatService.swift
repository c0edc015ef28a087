#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import EventBus
import RedisClient
import Telemetry

/// Keeps a service instance's heartbeat in Redis (`SET … EX`), refreshed three times per TTL, and
/// removes it when the instance stops, so `/health` lists exactly the live instances.
struct HeartbeatService: Service {
    let name: String
    let heartbeat: InstanceHeartbeat
    let client: RedisClient
    let logger: Logger

    func run(until shutdown: GracefulShutdown) async throws {
        let value = String(decoding: (try? JSONEncoder().encode(heartbeat)) ?? Data(), as: UTF8.self)
        let interval = Duration.seconds(InstanceHeartbeat.timeToLiveSeconds) / 3
        while !Task.isCancelled, !shutdown.isRequested {
            do {
                _ = try await client.send("SET", heartbeat.key, value, "EX", InstanceHeartbeat.timeToLiveSeconds)
            } catch {
                logger.debug("heartbeat not written", metadata: ["service": heartbeat.service, "error": error.message])
            }
            await withTaskGroup(of: Void.self) { group in
                group.addTask { try? await Task.sleep(for: interval) }
                group.addTask { await shutdown.wait() }
                await group.next()
                group.cancelAll()
            }
        }
        _ = try? await client.send("DEL", heartbeat.key)
    }
}
