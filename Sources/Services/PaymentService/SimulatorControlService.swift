import Lifecycle
import RedisClient
import Telemetry

/// Lets a person change the simulated card provider while it runs, e.g. to inject an outage:
/// `redis-cli HSET payment:simulator failureRate 1 latencyMilliseconds 0` (and `DEL payment:simulator`
/// to return to the configured values). `answerDelayMilliseconds` holds each answer back after the
/// provider charged, which tests use to kill a payment process between a charge and its commit. The
/// hash is read at start and every second, until a graceful shutdown is requested.
public struct SimulatorControlService: Service, CustomStringConvertible {
    /// The hash that overrides the configured behaviour.
    public static let key = "payment:simulator"

    public let description = "payment.simulator"
    private let behaviour: SimulatorBehaviour
    private let client: RedisClient
    private let logger: Logger

    /// Creates the control loop.
    /// - Parameters:
    ///   - behaviour: the simulated provider's behaviour, changed in place.
    ///   - client: where the `payment:simulator` hash is read.
    ///   - logger: one `notice` line per change.
    public init(behaviour: SimulatorBehaviour, client: RedisClient, logger: Logger) {
        self.behaviour = behaviour
        self.client = client
        self.logger = logger
    }

    public func run() async {
        let shutdown = GracefulShutdown.current
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
            await shutdown.sleep(for: .seconds(1))
        }
    }
}
