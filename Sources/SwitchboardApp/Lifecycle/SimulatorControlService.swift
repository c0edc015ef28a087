import EventBus
import PaymentService
import RedisClient
import Telemetry

/// Lets a person change the simulated card provider while it runs, e.g. to inject an outage:
/// `redis-cli HSET payment:simulator failureRate 1 latencyMilliseconds 0` (and `DEL payment:simulator`
/// to return to the configured values). `answerDelayMilliseconds` holds each answer back after the
/// provider charged, which tests use to kill a payment process between a charge and its commit. The
/// hash is read at start and every second.
struct SimulatorControlService: Service {
    /// The hash that overrides the configured behaviour.
    static let key = "payment:simulator"

    let name = "payment.simulator"
    let behaviour: SimulatorBehaviour
    let client: RedisClient
    let logger: Logger

    func run(until shutdown: GracefulShutdown) async throws {
        let configured = (latency: behaviour.latency, failureRate: behaviour.failureRate,
                          answerDelay: behaviour.answerDelay)
        var applied = configured
        while !Task.isCancelled, !shutdown.isRequested {
            if let fields = try? await client.send("HMGET", Self.key, "latencyMilliseconds", "failureRate",
                                                   "answerDelayMilliseconds").array,
               fields.count == 3 {
                let latency = fields[0].int.map { Duration.milliseconds($0) } ?? configured.latency
                let rate = fields[1].string.flatMap(Double.init) ?? configured.failureRate
                let delay = fields[2].int.map { Duration.milliseconds($0) } ?? configured.answerDelay
                if latency != applied.latency || rate != applied.failureRate || delay != applied.answerDelay {
                    behaviour.update(latency: latency, failureRate: rate, answerDelay: delay)
                    applied = (behaviour.latency, behaviour.failureRate, behaviour.answerDelay)
                    logger.notice("payment simulator changed", metadata: [
                        "latency.ms": applied.latency.millisecondsText, "failure.rate": String(applied.failureRate),
                        "answer.delay.ms": applied.answerDelay.millisecondsText,
                    ])
                }
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }
}
