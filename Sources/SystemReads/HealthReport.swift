import EventBus
import RedisClient
import Telemetry

/// What `GET /health` and `switchboard health` say: Redis's state and each service's live instances.
public struct HealthReport: Codable, Sendable, Equatable {
    /// The overall state.
    public enum Status: String, Codable, Sendable {
        /// Redis answers and every required service has a live instance.
        case ok
        /// As `ok`, but the ingress sheds requests (`503` with `Retry-After`) because a limit of
        /// `OverloadLimits` is reached, or was within the last two seconds.
        case overloaded
        /// Redis answers, but a required service has no live instance.
        case degraded
        /// Redis does not answer.
        case down
    }

    /// Redis's state.
    public struct Redis: Codable, Sendable, Equatable {
        public var status: String
        public var latencyMilliseconds: Double?
        public var error: String?
        /// With a `redis+sentinel://` URL: what the Sentinels and the primary say.
        public var sentinel: RedisSentinelStatus?
    }

    /// One service's live instances.
    public struct Service: Codable, Sendable, Equatable {
        public var status: String
        public var instances: [InstanceHeartbeat]
    }

    /// The services an order needs; the report is `degraded` while one of them has no live instance.
    public static let requiredServices = ["order", "stock", "payment", "notification"]

    public var status: Status
    public var redis: Redis
    public var services: [String: Service]

    /// Asks the reader and judges.
    /// - Parameters:
    ///   - reader: where Redis and heartbeats are read.
    ///   - required: the services an order needs.
    public static func make(reader: any SystemReader, required: [String]) async -> HealthReport {
        let latency: Duration
        let sentinel = await reader.sentinel()
        do {
            latency = try await reader.ping()
        } catch {
            return HealthReport(status: .down, redis: Redis(status: "down", error: error.message, sentinel: sentinel),
                                services: [:])
        }
        let instances = (try? await reader.instances()) ?? []
        var services: [String: Service] = [:]
        for name in Set(required + instances.map(\.service)) {
            let live = instances.filter { $0.service == name }.sorted { $0.instance < $1.instance }
            services[name] = Service(status: live.isEmpty ? "down" : "up", instances: live)
        }
        let degraded = required.contains { services[$0]?.instances.isEmpty ?? true }
        return HealthReport(status: degraded ? .degraded : .ok,
                            redis: Redis(status: "up", latencyMilliseconds: latency.seconds * 1000, sentinel: sentinel),
                            services: services)
    }
}
