#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import EventBus
import EventBusRedis
import HTTPServer
import Ingress
import Lifecycle
import NotificationService
import OrderService
import PaymentService
import RedisClient
import Resilience
import StockService
import SystemReads
import Telemetry

/// Builds the services `switchboard run` runs, each with its heartbeat, from the application's settings.
struct ServiceFactory {
    /// The services a process can run, in the order they start: those an order needs, then the ingress.
    static let serviceNames = HealthReport.requiredServices + ["ingress"]

    let application: Application

    /// The order in which services take turns over the event loops. Of the orders measured on two cores
    /// (one process, pub/sub, each loop thread's CPU per order), this one balances the loops best: order,
    /// notification and the ingress on one (345–392 µs on the bus, 520–555 µs over HTTP), stock and
    /// payment on the other (285–337 and 375–398 µs). Start order (order, payment and the ingress
    /// together) gave 485 against 280 µs on the bus and 628 against 248 µs over HTTP.
    static let loopTurns = ["order", "stock", "notification", "payment", "ingress"]

    /// Every part of the named services: runners, the ingress, heartbeats, the payment simulator's
    /// runtime control, and the process's metrics publisher, in start order. The group stops them in
    /// reverse: each service before its heartbeat, so an instance is listed until its work is done.
    ///
    /// The services take turns over `RedisEventLoop.perCore` (in the order of `loopTurns`): each one's
    /// connections are driven by its loop, and its tasks run there too (`ExecutorPreferringService`), so a
    /// process uses one core per service it runs, up to the cores it has, and a reply resumes its service
    /// on the thread that read it.
    func services(named names: [String]) throws(CommandFailure) -> [any Service] {
        // The process's metrics snapshot is written as the first service's user (every service user may).
        var services: [any Service] = [MetricsPublisher(
            metrics: application.metrics, instance: application.instanceName,
            client: application.makeRedisClient(for: names.first)
        )]
        let loops = RedisEventLoop.perCore
        let turns = Self.loopTurns.filter(names.contains)
        for name in names {
            let loop = loops[(turns.firstIndex(of: name) ?? 0) % loops.count]
            let parts = try ServiceFactory(application: application.driven(by: loop)).parts(of: name)
            services += parts.map { ExecutorPreferringService(service: $0, executor: loop) }
        }
        return services
    }

    /// The parts of the service `name`, whose connections the application's event loop drives (the ingress's
    /// handlers run there too).
    private func parts(of name: String) throws(CommandFailure) -> [any Service] {
        var services: [any Service] = []
        switch name {
        case "ingress":
            services.append(heartbeat(name))
            services.append(try ingress())
        case "payment":
            let behaviour = SimulatorBehaviour(
                latency: .milliseconds(application.settings.paymentLatencyMilliseconds),
                failureRate: application.settings.paymentFailureRate
            )
            let breaker = paymentBreaker()
            let provider = ResilientPaymentProvider(
                provider: SimulatedCardProvider(
                    behaviour: behaviour, ledger: RedisChargeLedger(client: application.makeRedisClient())
                ),
                breaker: breaker,
                timeout: .milliseconds(application.settings.paymentTimeoutMilliseconds),
                retries: application.settings.paymentRetries
            )
            services.append(heartbeat(name) { ["breaker": breaker.state.rawValue] })
            services.append(SimulatorControlService(behaviour: behaviour, client: application.makeRedisClient(for: name),
                                                    logger: logger(name)))
            services.append(bus(name, PaymentService(
                provider: provider, vault: RedisCardVault(client: application.makeRedisClient(for: name)), logger: logger(name)
            )))
        case "order":
            services += [heartbeat(name), bus(name, OrderService())]
        case "stock":
            let counters = RedisStockCounters(client: application.makeRedisClient(for: name),
                                              retention: stepAnswerRetention)
            services += [heartbeat(name), bus(name, StockService(catalog: try loadCatalog(), counters: counters))]
        default:
            let inbox = RedisCustomerInbox(client: application.makeRedisClient(for: name),
                                           retention: stepAnswerRetention)
            services += [heartbeat(name), bus(name, NotificationService(inbox: inbox))]
        }
        return services
    }

    /// How long the stock counters' answers and the inboxes' delivery markers are kept.
    private var stepAnswerRetention: Duration {
        Commit.stepAnswerRetention(finalRecordRetention: application.settings.finalRecordRetention)
    }

    private func bus(_ name: String, _ logic: some EventService) -> any Service {
        ServiceRunner(
            service: logic, transport: application.makeTransport(for: name), deadLetters: application.deadLetters(for: name),
            instance: application.instanceName, logger: logger(name), metrics: application.metrics,
            maximumDeliveries: application.settings.streamsMaximumDeliveries
        )
    }

    private func ingress() throws(CommandFailure) -> any Service {
        let settings = application.settings
        let configuration = HTTPServerConfiguration(
            port: settings.httpPort, connectionLimit: settings.httpConnectionLimit,
            idleTimeoutSeconds: settings.httpIdleTimeoutSeconds, maximumBodySize: settings.httpMaximumBodyBytes,
            handlerExecutor: application.redisConfiguration.eventLoop
        )
        let client = application.makeRedisClient(for: "ingress")
        let store = RedisIngressStore(client: client, emission: settings.transport == .streams ? .streams : .publish,
                                      durableAccept: settings.durableAcceptMilliseconds > 0
                                          ? .milliseconds(settings.durableAcceptMilliseconds) : nil)
        let reads = RedisSystemReader(client: client, followingClient: { [application] in
            application.makeRedisClient(for: "ingress")
        })
        return Ingress(
            configuration: configuration, store: store, reads: reads,
            transport: application.makeTransport(for: "ingress"),
            deadLetters: application.deadLetters(for: "ingress"), catalog: try loadCatalog(),
            metrics: application.metrics, instance: application.instanceName, logger: logger("ingress"),
            grace: .seconds(settings.shutdownGraceSeconds),
            limits: OverloadLimits(maximumPendingOrders: settings.httpMaximumPendingOrders,
                                   maximumEventStreams: settings.httpMaximumEventStreams,
                                   maximumBacklog: settings.httpMaximumBacklog)
        )
    }

    /// The breaker in front of the card provider; its state is logged, and kept as a gauge.
    private func paymentBreaker() -> CircuitBreaker {
        let metrics = application.metrics
        let log = logger("payment")
        @Sendable func record(_ state: CircuitBreakerMachine.State) {
            for candidate in CircuitBreakerMachine.State.allCases {
                metrics.set("switchboard_circuit_breaker_state",
                            help: "1 for the breaker's current state, 0 for the others.",
                            labels: ["breaker": "payment-provider", "state": candidate.rawValue],
                            to: candidate == state ? 1 : 0)
            }
        }
        record(.closed)
        return CircuitBreaker(
            name: "payment-provider", failureThreshold: application.settings.breakerFailureThreshold,
            coolDown: .milliseconds(application.settings.breakerCoolDownMilliseconds)
        ) { state in
            record(state)
            log.warning("circuit breaker changed state", metadata: ["breaker": "payment-provider", "state": state.rawValue])
        }
    }

    private func heartbeat(_ name: String, details: @escaping @Sendable () -> [String: String] = { [:] })
        -> any Service
    {
        let process = ProcessInfo.processInfo
        let heartbeat = InstanceHeartbeat(
            service: name, instance: application.instanceName, host: process.hostName,
            pid: Int(process.processIdentifier), startedAt: RFC3339.string(from: application.startedAt),
            version: Switchboard.version, transport: application.settings.transport.rawValue
        )
        return HeartbeatService(description: "\(name).heartbeat", heartbeat: heartbeat, details: details,
                                client: application.makeRedisClient(for: name), logger: logger(name))
    }

    private func logger(_ name: String) -> Logger {
        application.logger.child(label: "switchboard.\(name)")
    }

    /// The catalog file of the settings, or the built-in catalog when they name none.
    private func loadCatalog() throws(CommandFailure) -> Catalog {
        guard let path = application.settings.catalogPath else {
            do {
                return try Catalog(json: Data(BuiltInCatalog.json.utf8))
            } catch {
                throw CommandFailure(.software, "the built-in catalog: \(error.message)")
            }
        }
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
