import Telemetry

/// Runs services side by side and shuts them down in order (swift-service-lifecycle's `ServiceGroup`,
/// in small).
///
/// Services start together, in the order given. A graceful shutdown begins on the first SIGINT or SIGTERM,
/// or when a service ends on its own (returns or throws) while the others run: the group then requests
/// shutdown of the services in reverse order, one at a time, each once those after it have ended, so the
/// last started is the first stopped (the ingress stops taking requests before the runners behind it, and
/// a heartbeat listed before its runner outlives it). A second signal, or the end of `grace`, cancels
/// whatever still runs at once.
public struct ServiceGroup: Sendable {
    private enum Event: Sendable {
        case ended(Int, failure: String?)
        case signal(Int32)
        case graceExpired
    }

    private let services: [any Service]
    private let grace: Duration
    private let signals: AsyncStream<Int32>
    private let logger: Logger

    /// Creates a group.
    /// - Parameters:
    ///   - services: what to run, in start order; they stop in reverse order.
    ///   - grace: how long the services may take, together, to finish after shutdown began.
    ///   - signals: the signals that begin shutdown (the first) and cancel (the second); SIGINT and SIGTERM
    ///     unless a test gives its own.
    ///   - logger: for the group's own events.
    public init(
        services: [any Service], grace: Duration, signals: AsyncStream<Int32> = ShutdownSignal.signals(),
        logger: Logger
    ) {
        self.services = services
        self.grace = grace
        self.signals = signals
        self.logger = logger
    }

    /// The name of a service in logs and failures: its `description`, or its type's name.
    public static func name(of service: any Service) -> String {
        (service as? any CustomStringConvertible)?.description ?? String(describing: type(of: service))
    }

    /// Runs every service until they have all ended.
    /// - Throws: `ServiceGroupError` listing the services that threw.
    public func run() async throws(ServiceGroupError) {
        guard !services.isEmpty else { return }
        let requests = services.map { _ in GracefulShutdown() }
        let (events, sink) = AsyncStream<Event>.makeStream()
        let failures = await withTaskGroup(of: Void.self) { group -> [ServiceGroupError.Failure] in
            for (index, service) in services.enumerated() {
                group.addTask {
                    await GracefulShutdown.$task.withValue(requests[index]) {
                        do {
                            try await service.run()
                            sink.yield(.ended(index, failure: nil))
                        } catch {
                            sink.yield(.ended(index, failure: "\(error)"))
                        }
                    }
                }
            }
            group.addTask { [signals] in
                for await number in signals {
                    sink.yield(.signal(number))
                }
            }
            var running = Set(services.indices)
            var failures: [ServiceGroupError.Failure] = []
            var shuttingDown = false
            /// Requests shutdown of the last running service, unless one asked already still runs.
            func stopNext() {
                guard let last = running.max(), !running.contains(where: { requests[$0].isRequested }) else { return }
                requests[last].request()
            }
            func beginShutdown() {
                guard !shuttingDown else { return }
                shuttingDown = true
                group.addTask { [grace] in
                    try? await Task.sleep(for: grace)
                    if !Task.isCancelled { sink.yield(.graceExpired) }
                }
            }
            for await event in events {
                switch event {
                case .signal(let number) where shuttingDown:
                    logger.warning("second signal, cancelling what still runs", metadata: [
                        "signal": Self.signalName(number), "services.running": String(running.count),
                    ])
                    group.cancelAll()
                case .signal(let number):
                    logger.notice("shutting down", metadata: [
                        "signal": Self.signalName(number), "grace.seconds": String(grace.seconds),
                    ])
                    beginShutdown()
                case .ended(let index, let failure):
                    running.remove(index)
                    let name = Self.name(of: services[index])
                    if let failure {
                        failures.append(.init(service: name, error: failure))
                        logger.error("service failed", metadata: ["service": name, "error": failure])
                    } else if !shuttingDown {
                        logger.notice("service ended on its own", metadata: ["service": name])
                    }
                    beginShutdown()
                case .graceExpired:
                    logger.warning("grace period over, cancelling what still runs", metadata: [
                        "services.running": String(running.count),
                    ])
                    group.cancelAll()
                }
                if running.isEmpty { break }
                if shuttingDown { stopNext() }
            }
            sink.finish()
            group.cancelAll()
            return failures
        }
        guard failures.isEmpty else { throw ServiceGroupError(failures: failures) }
    }

    private static func signalName(_ number: Int32) -> String {
        number == 2 ? "SIGINT" : number == 15 ? "SIGTERM" : "signal \(number)"
    }
}
