import EventBus
import Telemetry

/// Runs services side by side (swift-service-lifecycle's `ServiceGroup`, in small).
///
/// On SIGINT or SIGTERM, or when one service ends on its own, it requests a graceful shutdown: services
/// stop taking work and finish what they have. Whatever still runs after `grace` is cancelled.
public struct ServiceGroup: Sendable {
    private enum Ending: Sendable {
        case serviceEnded(String, failure: String?)
        case signal(Int32)
        case graceExpired
    }

    private let services: [any Service]
    private let grace: Duration
    private let logger: Logger

    /// Creates a group.
    /// - Parameters:
    ///   - services: what to run.
    ///   - grace: how long services may take to finish after shutdown is requested.
    ///   - logger: for the group's own events.
    public init(services: [any Service], grace: Duration, logger: Logger) {
        self.services = services
        self.grace = grace
        self.logger = logger
    }

    /// Runs every service until they have all ended.
    /// - Returns: the failures of services that threw, as `name: error` lines (empty when all went well).
    public func run() async -> [String] {
        let shutdown = GracefulShutdown()
        return await withTaskGroup(of: Ending.self) { group in
            for service in services {
                group.addTask {
                    do {
                        try await service.run(until: shutdown)
                        return .serviceEnded(service.name, failure: nil)
                    } catch {
                        return .serviceEnded(service.name, failure: "\(error)")
                    }
                }
            }
            group.addTask {
                let number = await ShutdownSignal.wait()
                return .signal(number)
            }
            var running = services.count
            var failures: [String] = []
            var graceStarted = false
            func beginShutdown() {
                guard !graceStarted else { return }
                graceStarted = true
                shutdown.request()
                group.addTask {
                    try? await Task.sleep(for: grace)
                    return .graceExpired
                }
            }
            while running > 0, let ending = await group.next() {
                switch ending {
                case .signal(let number):
                    logger.notice("shutting down", metadata: [
                        "signal": number == 2 ? "SIGINT" : "SIGTERM", "grace.seconds": String(grace.seconds),
                    ])
                    beginShutdown()
                case .serviceEnded(let name, let failure):
                    running -= 1
                    if let failure {
                        failures.append("\(name): \(failure)")
                        logger.error("service failed", metadata: ["service": name, "error": failure])
                    }
                    beginShutdown()
                case .graceExpired:
                    logger.warning("grace period over, cancelling what still runs", metadata: [
                        "services.running": String(running),
                    ])
                    group.cancelAll()
                }
            }
            group.cancelAll()
            return failures
        }
    }
}
