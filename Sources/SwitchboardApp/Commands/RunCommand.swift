#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import EventBus
import HTTPServer
import Ingress
import NotificationService
import OrderService
import PaymentService
import StockService
import Telemetry

/// `switchboard run [SERVICE…]`: runs services in this process until SIGINT or SIGTERM.
struct RunCommand {
    /// The services a process can run, in the order they start.
    static let serviceNames = ["order", "stock", "payment", "notification", "ingress"]

    let application: Application
    let requested: [String]

    func run() async throws(CommandFailure) {
        for name in requested where !Self.serviceNames.contains(name) {
            throw CommandFailure(.usage, "unknown service '\(name)' (known: \(Self.serviceNames.joined(separator: ", ")))")
        }
        let names = requested.isEmpty ? Self.serviceNames : Self.serviceNames.filter(requested.contains)
        let services = try names.map { name throws(CommandFailure) in try makeService(name) }
            + names.map(makeHeartbeat)
        try await application.requireBroker()
        application.logger.notice("switchboard running", metadata: [
            "services": names.joined(separator: ","), "transport": application.settings.transport.rawValue,
            "redis.url": "\(application.redisURL)", "instance": application.instanceName,
        ])
        let grace = Duration.seconds(application.settings.shutdownGraceSeconds)
        let failures = await ServiceGroup(services: services, grace: grace, logger: application.logger).run()
        guard failures.isEmpty else {
            throw CommandFailure(.software, "a service failed: \(failures.joined(separator: "; "))")
        }
    }

    private func makeService(_ name: String) throws(CommandFailure) -> any Service {
        if name == "ingress" {
            let settings = application.settings
            let configuration = HTTPServerConfiguration(
                port: settings.httpPort, connectionLimit: settings.httpConnectionLimit,
                idleTimeoutSeconds: settings.httpIdleTimeoutSeconds, maximumBodySize: settings.httpMaximumBodyBytes
            )
            return IngressService(ingress: Ingress(
                configuration: configuration,
                store: RedisIngressStore(client: application.makeRedisClient(),
                                         emission: settings.transport == .streams ? .streams : .publish),
                transport: application.makeTransport(), catalog: try loadCatalog(), metrics: application.metrics,
                logger: application.logger.child(label: "switchboard.ingress"),
                grace: .seconds(settings.shutdownGraceSeconds)
            ))
        }
        let logic: any EventService = switch name {
        case "order": OrderService()
        case "stock": StockService(catalog: try loadCatalog())
        case "payment": PaymentService(provider: SimulatedCardProvider(
            latency: .milliseconds(application.settings.paymentLatencyMilliseconds),
            failureRate: application.settings.paymentFailureRate
        ))
        default: NotificationService()
        }
        let runner = ServiceRunner(
            service: logic, transport: application.makeTransport(), deadLetters: application.deadLetters,
            instance: application.instanceName, logger: application.logger.child(label: "switchboard.\(name)"),
            metrics: application.metrics, maximumDeliveries: application.settings.streamsMaximumDeliveries
        )
        return BusService(name: name, runner: runner)
    }

    private func makeHeartbeat(_ name: String) -> any Service {
        let process = ProcessInfo.processInfo
        let heartbeat = InstanceHeartbeat(
            service: name, instance: application.instanceName, host: process.hostName,
            pid: Int(process.processIdentifier), startedAt: RFC3339.string(from: application.startedAt),
            version: Switchboard.version, transport: application.settings.transport.rawValue
        )
        return HeartbeatService(name: "\(name).heartbeat", heartbeat: heartbeat, client: application.makeRedisClient(),
                                logger: application.logger)
    }

    private func loadCatalog() throws(CommandFailure) -> Catalog {
        let path = application.settings.catalogPath
        guard let contents = FileManager.default.contents(atPath: path) else {
            throw CommandFailure(.configuration, "catalog \(path) cannot be read (does it exist?)")
        }
        do {
            return try Catalog(json: contents)
        } catch {
            throw CommandFailure(.configuration, "catalog \(path): \(error.message)")
        }
    }
}
