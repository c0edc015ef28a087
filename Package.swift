// swift-tools-version:6.0
import PackageDescription

// Layers, bottom to top; a target depends only on targets of lower layers (docs/architecture.md says more):
//   1. C shims: CHiredis, CMicroHTTPD, CCurl, each imported by one folder of one module.
//   2. Used by every layer: JSONBytes (JSON reader and writer, CardNumberMask), Telemetry (logs, metrics,
//      time; masks card numbers in log lines with JSONBytes), Resilience (backoff, circuit breaker), Containers
//      (FIFOQueue: a connection's requests in flight, a runner's waiting lanes),
//      Lifecycle (Service, ServiceGroup, GracefulShutdown, ShutdownSignal; logs with Telemetry).
//   3. RedisClient (over CHiredis), HTTPServer (over CMicroHTTPD; writes problem+json with JSONBytes).
//   4. EventBus: the envelope, EventTransport, Commit, EventService and ServiceRunner (a Lifecycle Service); no I/O.
//   5. Transports: EventBusRedis (pub/sub and streams, over RedisClient), EventBusInMemory (for tests, with the
//      glob matching of its watchers); then SystemReads (over EventBusRedis: heartbeats, published metrics, trace
//      logs, the health report), which the ingress and the trace and health commands read through.
//   6. The saga: SagaEvents (event types, payloads, the saga's record fields), then one module per service:
//      StockService (which uses RedisClient for its counters' functions), OrderService, NotificationService (the
//      same for its customers' inboxes), PaymentService (which also uses RedisClient for the provider's ledger and runs the
//      simulated provider's control loop as a Lifecycle Service).
//      Services import EventBus, never a transport.
//   7. Edges: Ingress (the HTTP API and its accept: HTTPServer, EventBusRedis, SystemReads, the order and stock
//      records), Bench (CCurl).
//   8. SwitchboardApp (settings, commands, wiring), then the executable switchboard (main.swift).
// Tests: TestSupport (private redis-servers, child processes, their graceful teardown, SwitchboardSystem: the one
// builder of a system of switchboard processes on a private redis-server), SagaFixtures (the saga's
// events for the services' tests), a test target per tested module with logic of its own, the transport
// conformance suite, and the end-to-end suites that run the built executable.
let package = Package(
    name: "Switchboard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "switchboard", targets: ["switchboard"]),
    ],
    targets: [
        .systemLibrary(
            name: "CHiredis",
            pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        .systemLibrary(
            name: "CMicroHTTPD",
            pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]
        ),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CMalloc"),
        .target(name: "Telemetry", dependencies: ["JSONBytes"]),
        .target(name: "Resilience"),
        .target(name: "Containers"),
        .target(name: "JSONBytes"),
        .target(name: "Lifecycle", dependencies: ["Telemetry"]),
        .target(name: "RedisClient", dependencies: ["CHiredis", "Containers", "Resilience", "Telemetry"]),
        .target(name: "EventBus", dependencies: ["Containers", "JSONBytes", "Lifecycle", "Resilience", "Telemetry"]),
        .target(name: "EventBusRedis", dependencies: ["EventBus", "Lifecycle", "RedisClient", "Telemetry"]),
        .target(name: "EventBusInMemory", dependencies: ["EventBus", "Lifecycle"]),
        .target(name: "SystemReads", dependencies: ["EventBus", "EventBusRedis", "RedisClient", "Telemetry"]),
        .target(name: "HTTPServer", dependencies: ["CMicroHTTPD", "JSONBytes", "Telemetry"]),

        // The saga: shared event types, then one module per service (pure logic + its EventService).
        .target(name: "SagaEvents", dependencies: ["EventBus", "JSONBytes"], path: "Sources/Services/SagaEvents"),
        .target(
            name: "StockService", dependencies: ["EventBus", "SagaEvents", "RedisClient"],
            path: "Sources/Services/StockService"
        ),
        .target(
            name: "OrderService", dependencies: ["EventBus", "SagaEvents", "Telemetry"],
            path: "Sources/Services/OrderService"
        ),
        .target(
            name: "NotificationService", dependencies: ["EventBus", "SagaEvents", "RedisClient", "Telemetry"],
            path: "Sources/Services/NotificationService"
        ),
        .target(
            name: "PaymentService",
            dependencies: ["EventBus", "Lifecycle", "SagaEvents", "Resilience", "RedisClient", "Telemetry"],
            path: "Sources/Services/PaymentService"
        ),
        .target(
            name: "Ingress",
            dependencies: [
                "HTTPServer", "EventBus", "EventBusRedis", "JSONBytes", "Lifecycle", "RedisClient", "Resilience", "Telemetry",
                "SagaEvents", "OrderService", "StockService", "SystemReads",
            ]
        ),
        .target(name: "Bench", dependencies: ["CCurl", "EventBus", "EventBusRedis", "RedisClient", "Telemetry"]),

        .target(
            name: "SwitchboardApp",
            dependencies: [
                "EventBus", "EventBusRedis", "Lifecycle", "RedisClient", "Telemetry",
                "SagaEvents", "OrderService", "StockService", "PaymentService", "NotificationService", "SystemReads",
                "Ingress", "HTTPServer", "Bench",
            ]
        ),
        .executableTarget(name: "switchboard", dependencies: ["CMalloc", "SwitchboardApp"]),

        .target(name: "TestSupport", dependencies: ["RedisClient"], path: "Tests/TestSupport"),
        .target(name: "SagaFixtures", dependencies: ["EventBus", "SagaEvents"], path: "Tests/SagaFixtures"),
        .testTarget(name: "RedisClientTests", dependencies: ["RedisClient", "TestSupport"]),
        .testTarget(name: "JSONBytesTests", dependencies: ["JSONBytes"]),
        .testTarget(
            name: "EventBusTests",
            dependencies: ["Containers", "EventBus", "EventBusInMemory", "JSONBytes", "SagaEvents", "Telemetry"]
        ),
        .testTarget(name: "LifecycleTests", dependencies: ["Lifecycle", "Telemetry"]),
        .testTarget(name: "ResilienceTests", dependencies: ["Resilience", "Telemetry"]),
        .testTarget(name: "ContainersTests", dependencies: ["Containers"]),
        .testTarget(name: "TelemetryTests", dependencies: ["Telemetry"]),
        .testTarget(
            name: "EventBusRedisTests",
            dependencies: ["EventBus", "EventBusRedis", "RedisClient", "TestSupport"]
        ),
        .testTarget(
            name: "SystemReadsTests",
            dependencies: ["EventBus", "RedisClient", "SystemReads", "Telemetry", "TestSupport"]
        ),
        .testTarget(
            name: "ClusterCommitTests",
            dependencies: [
                "EventBus", "EventBusInMemory", "EventBusRedis", "Ingress", "Lifecycle", "NotificationService",
                "OrderService", "PaymentService", "RedisClient", "SagaEvents", "SagaFixtures", "StockService",
                "TestSupport",
            ]
        ),
        .testTarget(
            name: "EventTransportConformanceTests",
            dependencies: ["EventBus", "EventBusInMemory", "EventBusRedis", "RedisClient", "TestSupport"]
        ),
        .testTarget(
            name: "SwitchboardAppTests",
            dependencies: [
                "SwitchboardApp", "EventBus", "Ingress", "NotificationService", "OrderService", "PaymentService",
                "RedisClient", "SagaEvents", "StockService",
            ]
        ),
        .testTarget(
            name: "StockServiceTests",
            dependencies: [
                "SagaFixtures", "StockService", "SagaEvents", "EventBus", "EventBusInMemory", "RedisClient", "TestSupport",
            ]
        ),
        .testTarget(
            name: "OrderServiceTests",
            dependencies: ["SagaFixtures", "OrderService", "SagaEvents", "EventBus", "EventBusInMemory", "Telemetry"]
        ),
        .testTarget(
            name: "NotificationServiceTests",
            dependencies: [
                "SagaFixtures", "NotificationService", "SagaEvents", "EventBus", "EventBusInMemory", "RedisClient",
                "TestSupport",
            ]
        ),
        .testTarget(
            name: "PaymentServiceTests",
            dependencies: ["SagaFixtures", "PaymentService", "SagaEvents", "EventBus", "EventBusInMemory", "RedisClient", "TestSupport"]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "EventBus", "NotificationService", "OrderService", "PaymentService", "RedisClient", "SagaEvents",
                "StockService", "SwitchboardApp", "SystemReads", "TestSupport",
            ]
        ),
        .testTarget(
            name: "IngressTests",
            dependencies: [
                "Ingress", "HTTPServer", "EventBus", "EventBusInMemory", "EventBusRedis", "SagaEvents", "OrderService",
                "StockService", "SystemReads", "Telemetry", "TestSupport",
            ]
        ),
        .testTarget(
            name: "IngressEndToEndTests", dependencies: ["EventBus", "SwitchboardApp", "SystemReads", "TestSupport"]
        ),
        .testTarget(
            name: "StreamsEndToEndTests",
            dependencies: [
                "OrderService", "PaymentService", "SagaEvents", "StockService", "SwitchboardApp", "SystemReads",
                "TestSupport",
            ]
        ),
        .testTarget(
            name: "OperabilityEndToEndTests",
            dependencies: ["OrderService", "StockService", "SystemReads", "TestSupport"]
        ),
        .testTarget(name: "SentinelEndToEndTests", dependencies: ["OrderService", "TestSupport"]),
        .testTarget(name: "ClusterEndToEndTests",
                    dependencies: ["OrderService", "StockService", "RedisClient", "TestSupport"]),
        .testTarget(
            name: "AccessControlEndToEndTests",
            dependencies: ["EventBusRedis", "NotificationService", "RedisClient", "SwitchboardApp", "TestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// The release build optimises across module boundaries: the hot path runs through eight modules (the event
// loop, the envelope, the runner, the services, the commit), and without it each generic call between them
// (the runner's lanes, the inbox, the typed records) goes through unspecialised code and runtime metadata
// lookups. Measured on the bus (README "Performance"): about 8% less Swift CPU per order.
//
// Every module's `nonisolated` async functions run on their caller's executor (SE-0461,
// `NonisolatedNonsendingByDefault`, the default of a later language mode) rather than hopping to the global one
// on entry: a service's task runs on its Redis event loop (`ExecutorPreferringService`), and each such hop asked
// the runtime for the task's preferred executor under a lock, 270 times per order, to land on the same thread.
// Code that must leave its caller's executor says so with `@concurrent`. README "Performance" has the figures.
for target in package.targets where target.type == .regular || target.type == .executable {
    target.swiftSettings = (target.swiftSettings ?? [])
        + [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release)),
           .enableUpcomingFeature("NonisolatedNonsendingByDefault")]
}
