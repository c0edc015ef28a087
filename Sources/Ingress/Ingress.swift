import EventBus
import HTTPServer
import Lifecycle
import StockService
import SystemReads
import Telemetry

/// The HTTP ingress: turns `POST /orders` into `order.created` events and lets clients read orders,
/// stock, health, metrics and the contract's documents (`docs/http.md`), and serves the dashboard at `/`.
/// It publishes nothing but `order.created`, and republishes a dead letter when asked to replay it.
public struct Ingress: Sendable {
    private let configuration: HTTPServerConfiguration
    private let handlers: IngressHandlers
    private let transport: any EventTransport
    private let router: Router
    private let grace: Duration

    /// Creates the ingress.
    /// - Parameters:
    ///   - configuration: the HTTP server's port and limits.
    ///   - store: the broker, for accepting orders and reading read models.
    ///   - reads: the running system's heartbeats, published metrics and trace logs, for `GET /health`,
    ///     `GET /metrics`, the orders' histories and event streams, and the dashboard.
    ///   - transport: where live events are watched, for `Prefer: wait` and event streams, and where
    ///     replayed dead letters are published.
    ///   - deadLetters: the dead-letter store the dashboard lists and replays from.
    ///   - catalog: the products, for `GET /stock/{sku}`.
    ///   - metrics: where request and event counts go; `GET /metrics` renders it with other processes'.
    ///   - instance: this process's instance name.
    ///   - logger: the ingress's logger.
    ///   - grace: how long requests in flight may take to finish at shutdown.
    ///   - limits: how much work it takes on before it sheds requests with `503`.
    public init(
        configuration: HTTPServerConfiguration, store: any IngressStore, reads: any SystemReader,
        transport: any EventTransport,
        deadLetters: any DeadLetterStore, catalog: Catalog, metrics: MetricsRegistry, instance: String, logger: Logger,
        grace: Duration = .seconds(5), limits: OverloadLimits = OverloadLimits()
    ) {
        self.configuration = configuration
        self.transport = transport
        self.grace = grace
        let admission = Admission(limits: limits, metrics: metrics)
        let handlers = IngressHandlers(store: store, reads: reads, feed: OrderFeed(pending: admission.pending),
                                       admission: admission, catalog: catalog, metrics: metrics, instance: instance,
                                       logger: logger)
        self.handlers = handlers
        var router = Router()
        router.add("POST", "/orders", handler: handlers.createOrder)
        router.add("GET", "/orders/{id}", handler: handlers.order)
        router.add("GET", "/orders/{id}/events", handler: handlers.orderEvents)
        router.add("GET", "/stock/{sku}", handler: handlers.stock)
        router.add("GET", "/health", handler: handlers.health)
        router.add("GET", "/metrics", handler: handlers.metrics)
        router.add("GET", "/openapi.yaml", handler: ContractDocumentRoutes.openAPI)
        router.add("GET", "/asyncapi.yaml", handler: ContractDocumentRoutes.asyncAPI)
        DashboardRoutes(handlers: handlers, feed: DashboardFeed { transport.watch(pattern: "*") },
                        deadLetters: DeadLetterReplay(store: deadLetters, transport: transport))
            .register(in: &router)
        self.router = router
    }

    /// Answers one request as the server does, without a socket, and counts it in the metrics by its
    /// route: what the server's handler runs, and what the fuzz targets and in-process tests drive. Live
    /// events are not watched here, so `Prefer: wait` times out unanswered.
    public func respond(to request: HTTPRequest) async -> HTTPResponse {
        let started = ContinuousClock.now
        let match = router.match(request)
        let response = await match.respond()
        Self.record(request, route: match.route ?? "unmatched", response, since: started, in: handlers.metrics)
        return response
    }

    /// Counts an answered request (`switchboard_http_requests_total`) and its duration, by route.
    private static func record(
        _ request: HTTPRequest, route: String, _ response: HTTPResponse, since started: ContinuousClock.Instant,
        in metrics: MetricsRegistry
    ) {
        metrics.increment("switchboard_http_requests_total", help: "HTTP requests, by route, method and status.",
                          labels: ["route": route, "method": request.method, "status": String(response.status)])
        metrics.observe("switchboard_http_request_duration_seconds",
                        help: "Time to answer an HTTP request (to the head of a stream), by route.",
                        labels: ["route": route], value: (ContinuousClock.now - started).seconds)
    }

    /// Listens until `shutdown` is requested or the task is cancelled, then stops taking requests and
    /// lets those in flight finish within the grace period.
    /// - Parameters:
    ///   - shutdown: ends the ingress gracefully when requested.
    ///   - ready: called with the port once the server listens.
    /// - Throws: `HTTPServerError` when the port cannot be bound.
    public func run(until shutdown: GracefulShutdown, ready: @Sendable (Int) -> Void = { _ in }) async throws {
        let metrics = handlers.metrics
        let admission = handlers.admission
        let server = HTTPServer(configuration: configuration, logger: handlers.logger, gate: { request in
            // New orders while every place is taken: shed on the I/O thread, before any task is made.
            guard request.method == "POST", request.path == "/orders", let reason = admission.shedEarly() else {
                return nil
            }
            let response = admission.response(reason)
            Self.record(request, route: "/orders", response, since: .now, in: metrics)
            return response
        }, handler: respond(to:))
        let port = try server.start()
        handlers.logger.notice("ingress listening", metadata: ["http.port": String(port)])
        ready(port)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await handlers.feed.run(transport.watch(channels: OrderFeed.channels)) }
            group.addTask { await Self.sample(handlers.admission, store: handlers.store) }
            group.addTask { await shutdown.wait() }
            await group.next()
            group.cancelAll()
        }
        handlers.logger.notice("ingress stopping", metadata: ["grace.seconds": String(grace.seconds)])
        await server.stop(grace: grace)
    }

    /// Samples the services' backlog into `admission` every `sampleInterval` until the task is cancelled;
    /// an unreadable backlog counts as none, so a broker failure does not turn into shedding.
    private static func sample(_ admission: Admission, store: any IngressStore) async {
        while !Task.isCancelled {
            admission.sample(backlog: try? await store.backlog())
            try? await Task.sleep(for: admission.limits.sampleInterval)
        }
    }
}
