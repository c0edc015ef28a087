import EventBus
import PaymentService
import RedisClient
import Telemetry

/// Lets a person change the simulated card provider while it runs, e.g. to inject an outage:
/// `redis-cli HSET payment:simulator failureRate 1 latencyMilliseconds 0` (and `DEL payment:simulator`
/// to return to the configured values). The hash is read every second.
struct SimulatorControlService: Service {
    /// The hash that overrides the configured behaviour.
    static let key = "payment:simulator"

    let name = "payment.simulator"
    let behaviour: SimulatorBehaviour
    let client: RedisClient
    let logger: Logger

    func run(until shutdown: GracefulShutdown) async throws {
        let configured = (latency: behaviour.latency, failureRate: behaviour.failureRate)
        var applied = configured
        while !Task.isCancelled, !shutdown.isRequested {
            if let fields = try? await client.send("HMGET", Self.key, "latencyMilliseconds", "failureRate").array,
               fields.count == 2 {
                let latency = fields[0].int.map { Duration.milliseconds($0) } ?? configured.latency
                let rate = fields[1].string.flatMap(Double.init) ?? configured.failureRate
                if latency != applied.latency || rate != applied.failureRate {
                    behaviour.update(latency: latency, failureRate: rate)
                    applied = (behaviour.latency, behaviour.failureRate)
                    logger.notice("payment simulator changed", metadata: [
                        "latency.ms": applied.latency.millisecondsText, "failure.rate": String(applied.failureRate),
                    ])
                }
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }
}
