import Foundation
import Synchronization
import SwitchboardApp
import SystemReads
import TestSupport
import Testing

/// The saga on the streams transport, one instance at a time: a `SwitchboardSystem` (a private redis-server,
/// a settings file in its folder), and one `switchboard run SERVICE --instance NAME` process per instance,
/// which a test starts, freezes, kills (`SIGKILL`) and starts again. Instances log JSON lines, so a test can
/// read what each one did.
final class StreamsCluster: Sendable {
    /// How the services are configured.
    struct Options: Sendable {
        /// Whether redis-server keeps an append-only file (`appendfsync everysec`).
        var appendOnly = false
        /// `SWITCHBOARD_STREAMS_CLAIM_IDLE_MS`: how soon another instance claims a dead one's entries.
        var claimIdleMilliseconds = 1000
        /// `streams.maximumDeliveries`, when not the default.
        var maximumDeliveries: Int?
        /// `payment.latencyMilliseconds`: how long each simulated charge takes.
        var paymentLatencyMilliseconds = 0
        /// `payment.timeoutMilliseconds`: how long one charge may take before the attempt fails.
        var paymentTimeoutMilliseconds = 2000
        /// How long redis-server takes to load each key or command at a start (`--key-load-delay`, in
        /// microseconds): a restart then answers `LOADING` for a while, as a large data set does.
        var keyLoadDelayMicroseconds = 0
    }

    /// The streams each service's consumer group reads: the production wiring (each service's
    /// `subscriptions`, as the ACLs take them), not a copy.
    static let subscriptions = Dictionary(uniqueKeysWithValues: AccessPolicy.services.map { ($0.name, $0.consumes) })

    private struct Instance: Sendable {
        var service: String
        var process: ChildProcess
        var killed = false
    }

    let system: SwitchboardSystem
    var redis: RedisServer { system.redis }
    let inspector: SagaInspector
    private let instances = Mutex<[String: Instance]>([:])

    private init(system: SwitchboardSystem) {
        self.system = system
        self.inspector = SagaInspector(redis: system.redis)
    }

    /// Starts redis-server and writes the settings, runs `body`, then stops every instance: gracefully
    /// (each must exit 0) when `body` returns, at once when it throws. The server and its folder go in both
    /// cases, so no process outlives the test.
    static func with(_ options: Options = Options(), _ body: (StreamsCluster) async throws -> Void) async throws {
        let loading = options.keyLoadDelayMicroseconds > 0
            ? ["--key-load-delay", String(options.keyLoadDelayMicroseconds), "--loading-process-events-interval-bytes", "1024"]
            : []
        var streams = #""claimIdleMilliseconds": 30000"#
        if let limit = options.maximumDeliveries { streams += #", "maximumDeliveries": \#(limit)"# }
        // The file's claim idle time is overridden by the environment, as an operator would.
        let system = try await SwitchboardSystem.start(
            transport: "streams", redis: RedisServer.Options(appendOnly: options.appendOnly, extraArguments: loading),
            settings: """
                "shutdownGraceSeconds": 5, "log": {"format": "json"}, "streams": {\(streams)},
                 "payment": {"latencyMilliseconds": \(options.paymentLatencyMilliseconds),
                             "timeoutMilliseconds": \(options.paymentTimeoutMilliseconds)}
                """,
            environment: ["SWITCHBOARD_STREAMS_CLAIM_IDLE_MS": String(options.claimIdleMilliseconds)]
        )
        let cluster = StreamsCluster(system: system)
        do {
            try await body(cluster)
        } catch {
            cluster.killAll()
            system.shutDown()
            throw error
        }
        await cluster.stopAll()
        system.shutDown()
    }

    /// Starts one instance of each of `services` (by default those an order needs, as production names them),
    /// named `SERVICE-1`, and waits until each reads its streams.
    func startSaga(_ services: [String] = HealthReport.requiredServices) async throws {
        for service in services {
            try await start(service, instance: "\(service)-1")
        }
    }

    /// Starts `switchboard run SERVICE --instance NAME` and waits until it beats (its heartbeat key is set)
    /// and its service's group exists on each of its streams. (Redis 7.0 lists a consumer in `XINFO
    /// CONSUMERS` only once it was served an entry, so that cannot tell.)
    /// - Parameter logLevel: `info` logs every event handled; `notice` only claims, refusals and dead letters.
    func start(_ service: String, instance name: String, logLevel: String = "notice") async throws {
        let process = try system.spawn(["run", service, "--instance", name, "--log-level", logLevel])
        instances.withLock { $0[name] = Instance(service: service, process: process) }
        let started = await eventually(within: .seconds(20)) {
            guard try await self.redis.cli("EXISTS", "switchboard:instance:\(service):\(name)") == "1" else {
                return false
            }
            return try await self.system.isConsuming([(service, Self.subscriptions[service]!)])
        }
        try #require(started, "\(name) did not start: \(process.text(of: .standardError))")
    }

    /// Kills an instance at once (`SIGKILL`), as a crash would: whatever it read and did not acknowledge
    /// stays pending in its group.
    func kill(_ name: String) {
        let process = instances.withLock { instances -> ChildProcess? in
            instances[name]?.killed = true
            return instances[name]?.process
        }
        process?.kill()
    }

    /// Stops an instance where it stands (`SIGSTOP`): it holds what it read, and acknowledges nothing.
    func freeze(_ name: String) {
        process(name)?.send(signal: SIGSTOP)
    }

    /// Lets a frozen instance go on (`SIGCONT`).
    func thaw(_ name: String) {
        process(name)?.send(signal: SIGCONT)
    }

    /// Whether an instance's process still runs.
    func isRunning(_ name: String) -> Bool {
        process(name)?.isRunning ?? false
    }

    /// An instance's log lines (JSON objects of strings), so far.
    func logs(of name: String) -> [[String: String]] {
        (process(name)?.lines(of: .standardError) ?? []).compactMap { line in
            try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String]
        }
    }

    /// Adds `orders` to `order.created` as bare payloads, through one `redis-cli` reading `XADD order.created *
    /// event '…'` lines from a file; returns how many entry ids Redis answered (each an acknowledged add).
    @discardableResult
    func add(_ orders: [TestOrder]) async throws -> Int {
        let lines = orders.map { "XADD order.created * event '\($0.payload)'" }
        let output = try await redis.cli(script: lines, name: "orders-\(orders.first?.id ?? "none").redis")
        let ids = output.split(separator: "\n").filter { line in
            line.range(of: #"^\d+-\d+$"#, options: .regularExpression) != nil
        }
        return ids.count
    }

    /// Waits until every order is confirmed or cancelled (or `timeout` runs out), then counts the outcome.
    func settle(_ orders: [TestOrder], within timeout: Duration = .seconds(60)) async throws -> SagaTally {
        let ids = orders.map(\.id)
        _ = await eventually(within: timeout, every: .milliseconds(200)) {
            let statuses = try await self.inspector.statuses(of: ids)
            return ids.allSatisfy { ["confirmed", "cancelled"].contains(statuses[$0]) }
        }
        return try await SagaTally.count(orders, in: inspector)
    }

    /// Runs `switchboard` once against this cluster's server with the streams transport.
    func switchboard(_ arguments: [String]) async throws -> ChildProcess.Result {
        try await system.switchboard(arguments)
    }

    private func process(_ name: String) -> ChildProcess? {
        instances.withLock { $0[name]?.process }
    }

    /// Stops the instances not killed with `SIGTERM` and expects each to exit 0 within the grace time.
    private func stopAll() async {
        await ChildProcess.stopGracefully(instances.withLock { $0.filter { !$0.value.killed }.mapValues(\.process) })
    }

    private func killAll() {
        for instance in instances.withLock({ Array($0.values) }) {
            instance.process.kill()
        }
    }
}
