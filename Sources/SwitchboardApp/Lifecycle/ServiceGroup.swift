import Telemetry

/// Runs services side by side until SIGINT or SIGTERM, then cancels them and waits for them to end
/// (swift-service-lifecycle's `ServiceGroup`, in small).
public struct ServiceGroup: Sendable {
    private let services: [any Service]
    private let logger: Logger

    /// Creates a group.
    public init(services: [any Service], logger: Logger) {
        self.services = services
        self.logger = logger
    }

    /// Runs every service until a shutdown signal, or until one of them fails.
    /// - Throws: the first error a service threw.
    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                let signal = await ShutdownSignal.wait()
                logger.notice("shutting down", metadata: ["signal": signal == 2 ? "SIGINT" : "SIGTERM"])
            }
            for service in services {
                group.addTask { try await service.run() }
            }
            // The first child to end, the signal waiter or a failed service, ends them all.
            defer { group.cancelAll() }
            try await group.next()
        }
    }
}
