// swift-tools-version:6.0
import PackageDescription

// Layers, bottom to top (each depends only on those below it):
//   CHiredis (C shim) → RedisClient → EventBus → EventBusRedis / EventBusInMemory → SwitchboardApp → switchboard
// Telemetry (logging), Resilience (backoff) and JSONBytes (JSON reader and writer) sit beside the shims: every
// layer may use them.
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
        .target(name: "Telemetry"),
        .target(name: "Resilience"),
        .target(name: "JSONBytes"),
        .target(name: "RedisClient", dependencies: ["CHiredis", "Resilience", "Telemetry"]),
        .target(name: "EventBus", dependencies: ["JSONBytes", "Resilience", "Telemetry"]),
        .target(name: "EventBusRedis", dependencies: ["EventBus", "RedisClient", "Telemetry"]),
        .target(name: "EventBusInMemory", dependencies: ["EventBus"]),
        .target(name: "HTTPServer", dependencies: ["CMicroHTTPD", "Telemetry"]),

        // The saga: shared event types, then one module per service (pure logic + its EventService).
        .target(name: "SagaEvents", dependencies: ["EventBus", "JSONBytes"], path: "Sources/Services/SagaEvents"),
        .target(name: "StockService", dependencies: ["EventBus", "SagaEvents"], path: "Sources/Services/StockService"),
        .target(
            name: "OrderService", dependencies: ["EventBus", "SagaEvents", "Telemetry"],
            path: "Sources/Services/OrderService"
        ),
        .target(
            name: "NotificationService", dependencies: ["EventBus", "SagaEvents", "Telemetry"],
            path: "Sources/Services/NotificationService"
        ),
        .target(
            name: "PaymentService", dependencies: ["EventBus", "SagaEvents", "Resilience", "RedisClient", "Telemetry"],
            path: "Sources/Services/PaymentService"
        ),
        .target(
            name: "Ingress",
            dependencies: [
                "HTTPServer", "EventBus", "EventBusRedis", "JSONBytes", "RedisClient", "Telemetry", "SagaEvents",
                "OrderService",
                "StockService",
            ]
        ),
        .target(name: "Bench", dependencies: ["CCurl", "EventBus", "RedisClient", "Telemetry"]),

        .target(
            name: "SwitchboardApp",
            dependencies: [
                "EventBus", "EventBusRedis", "RedisClient", "Telemetry",
                "SagaEvents", "OrderService", "StockService", "PaymentService", "NotificationService", "Ingress",
                "HTTPServer", "Bench",
            ]
        ),
        .executableTarget(name: "switchboard", dependencies: ["SwitchboardApp"]),

        .target(name: "TestSupport", dependencies: ["RedisClient"], path: "Tests/TestSupport"),
        .testTarget(name: "RedisClientTests", dependencies: ["RedisClient", "TestSupport"]),
        .testTarget(name: "JSONBytesTests", dependencies: ["JSONBytes"]),
        .testTarget(
            name: "EventBusTests",
            dependencies: ["EventBus", "EventBusInMemory", "JSONBytes", "SagaEvents", "Telemetry"]
        ),
        .testTarget(name: "ResilienceTests", dependencies: ["Resilience", "Telemetry"]),
        .testTarget(
            name: "EventBusRedisTests",
            dependencies: ["EventBus", "EventBusRedis", "RedisClient", "TestSupport"]
        ),
        .testTarget(name: "SwitchboardAppTests", dependencies: ["SwitchboardApp", "EventBus"]),
        .testTarget(
            name: "StockServiceTests",
            dependencies: ["StockService", "SagaEvents", "EventBus", "EventBusInMemory"]
        ),
        .testTarget(
            name: "OrderServiceTests",
            dependencies: ["OrderService", "SagaEvents", "EventBus", "EventBusInMemory"]
        ),
        .testTarget(
            name: "NotificationServiceTests",
            dependencies: ["NotificationService", "SagaEvents", "EventBus", "EventBusInMemory"]
        ),
        .testTarget(
            name: "PaymentServiceTests",
            dependencies: ["PaymentService", "SagaEvents", "EventBus", "EventBusInMemory", "RedisClient", "TestSupport"]
        ),
        .testTarget(name: "EndToEndTests", dependencies: ["EventBus", "RedisClient", "TestSupport"]),
        .testTarget(
            name: "IngressTests", dependencies: ["Ingress", "EventBus", "SagaEvents", "Telemetry", "TestSupport"]
        ),
        .testTarget(name: "IngressEndToEndTests", dependencies: ["TestSupport"]),
        .testTarget(name: "StreamsEndToEndTests", dependencies: ["TestSupport"]),
        .testTarget(name: "OperabilityEndToEndTests", dependencies: ["TestSupport"]),
        .testTarget(name: "SentinelEndToEndTests", dependencies: ["TestSupport"]),
        .testTarget(name: "AccessControlEndToEndTests", dependencies: ["RedisClient", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
