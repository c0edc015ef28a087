import Foundation
import Synchronization
import SwitchboardApp
import TestSupport
import Testing

/// Everything one ingress test talks to: a `SwitchboardSystem` (a private redis-server and the test's
/// settings), one `switchboard run` process (all services and the ingress, or only some of them) on a free
/// HTTP port, and a `redis-cli PSUBSCRIBE '*'` observer recording every message published.
final class IngressCluster: Sendable {
    /// The channel `settle()` publishes its markers on; no service listens there.
    static let markerChannel = "test.marker"

    let system: SwitchboardSystem
    var redis: RedisServer { system.redis }
    let port: Int
    let http: HTTPClient
    /// The services the process runs; empty for all of them.
    let services: [String]
    private let process: ChildProcess
    private let observer: ChildProcess?
    private let helpers = Mutex<[ChildProcess]>([])

    private init(
        system: SwitchboardSystem, port: Int, services: [String], process: ChildProcess, observer: ChildProcess?
    ) {
        self.system = system
        self.port = port
        self.services = services
        self.process = process
        self.observer = observer
        self.http = HTTPClient(port: port, scratch: system.redis.directory)
    }

    /// Starts a cluster, runs `body` with it, and always stops it (expecting a clean exit), even when
    /// `body` throws.
    /// - Parameters:
    ///   - services: what `switchboard run` runs; empty for everything.
    ///   - redisOptions: how the redis-server starts (`appendOnly` to keep data across `restart()`).
    ///   - observing: whether to start the `PSUBSCRIBE '*'` observer (which `settle()` and the event
    ///     queries need); without it, no client but the switchboard process subscribes to anything.
    ///   - settings: members of the test's settings file besides the catalog, e.g. `"shutdownGraceSeconds": 5`.
    ///   - transport: `pubsub` or `streams` (then without the observer, which sees only pub/sub).
    ///   - body: the test.
    static func run(
        services: [String] = [], redisOptions: RedisServer.Options = RedisServer.Options(), observing: Bool = true,
        settings: String = "", transport: String = "pubsub", _ body: (IngressCluster) async throws -> Void
    ) async throws {
        let cluster = try await start(services: services, redisOptions: redisOptions,
                                      observing: observing && transport == "pubsub", settings: settings,
                                      transport: transport)
        do {
            try await body(cluster)
        } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stop()
    }

    private static func start(
        services: [String], redisOptions: RedisServer.Options, observing: Bool, settings: String, transport: String
    ) async throws -> IngressCluster {
        let system = try await SwitchboardSystem.start(transport: transport, redis: redisOptions, settings: settings)
        do {
            var attempt = 0
            while true {
                attempt += 1
                let port = FreePort.next()
                let process = try system.spawn(["run"] + services + ["--http-port", String(port)])
                if try await waitUntilServing(process, port: port, system: system, services: services) {
                    let observer = try observing
                        ? ChildProcess(Executable.redisCLI, system.redis.redisCLIArguments + ["PSUBSCRIBE", "*"]) : nil
                    let cluster = IngressCluster(system: system, port: port, services: services, process: process,
                                                 observer: observer)
                    if observing { try await cluster.settle() }
                    return cluster
                }
                process.kill()
                // Another process may have taken the port between FreePort and the bind: try another one.
                try #require(attempt < 3, "switchboard did not start: \(process.text(of: .standardError))")
            }
        } catch {
            system.shutDown()
            throw error
        }
    }

    /// Waits until the ingress answers `/health` and the services have subscribed (on streams: made their
    /// consumer groups); false when the process exited (the port was taken).
    private static func waitUntilServing(
        _ process: ChildProcess, port: Int, system: SwitchboardSystem, services: [String]
    ) async throws -> Bool {
        let http = HTTPClient(port: port, scratch: system.redis.directory)
        let everything = services.isEmpty
        let ready = await eventually(within: .seconds(30), every: .milliseconds(50)) {
            guard process.isRunning else { return true }
            let health = try await http.get("/health", timeout: 2)
            // Without the saga's services the ingress is up but degraded.
            guard everything ? health.status == 200 : health.json?["status"] as? String == "degraded" else {
                return false
            }
            // One subscriber per service consuming a channel, and the ingress's watch of the final events (for
            // `Prefer: wait`): the production wiring, as the ACLs take it.
            let running = AccessPolicy.services.filter { role in
                everything || services.contains(role.name) || role.name == "ingress"
            }
            return try await system.isConsuming(running.map { ($0.name, $0.consumes) })
        }
        guard process.isRunning else { return false }
        try #require(ready, "switchboard did not get ready: \(process.text(of: .standardError))")
        return true
    }

    /// Stops the process (SIGTERM, expecting exit 0), the helpers, the observer and the server.
    func stop() async {
        await ChildProcess.stopGracefully([process.commandLine: process])
        for helper in helpers.withLock({ $0 }) { helper.kill() }
        observer?.kill()
        system.shutDown()
    }

    /// Sends the switchboard process `SIGTERM`, as `systemctl stop` does; `stop()` then finds it gone.
    func terminate() {
        process.send(signal: SIGTERM)
    }

    /// Waits for the switchboard process to exit; `nil` when it outlives `timeout`.
    func waitForExit(timeout: Duration = .seconds(20)) async -> ChildProcess.Termination? {
        await process.waitForExit(timeout: timeout)
    }

    /// Whether the switchboard process still runs.
    var isRunning: Bool { process.isRunning }

    /// What the switchboard process logged, for failure messages.
    var log: String { process.text(of: .standardError) }

    /// Starts a `redis-cli` helper (e.g. a stand-in subscriber) that is killed with the cluster.
    @discardableResult
    func startHelper(_ arguments: [String]) throws -> ChildProcess {
        let helper = try ChildProcess(Executable.redisCLI, redis.redisCLIArguments + arguments)
        helpers.withLock { $0.append(helper) }
        return helper
    }

    /// Starts a `redis-cli SUBSCRIBE order.created` in place of the services, so orders are accepted (someone
    /// listens) and never end, and waits until it listens.
    @discardableResult
    func startStandIn() async throws -> ChildProcess {
        let standIn = try startHelper(["SUBSCRIBE", "order.created"])
        let subscribed = await eventually {
            try await redis.cli("PUBSUB", "NUMSUB", "order.created").hasSuffix("\n1")
        }
        try #require(subscribed, "the stand-in did not subscribe: \(standIn.text(of: .standardError))")
        return standIn
    }

    // MARK: What was published

    /// Every message the observer saw, in order, markers excluded.
    func published() -> [(channel: String, payload: String)] {
        observedMessages().filter { $0.channel != Self.markerChannel }
    }

    /// The events (envelopes) the observer saw on `channel`.
    func events(on channel: String) -> [[String: Any]] {
        published().filter { $0.channel == channel }.compactMap { message in
            (try? JSONSerialization.jsonObject(with: Data(message.payload.utf8))) as? [String: Any]
        }
    }

    /// The `order.created` events the observer saw for one order.
    func createdEvents(for orderID: String) -> [[String: Any]] {
        events(on: "order.created").filter { ($0["data"] as? [String: Any])?["orderId"] as? String == orderID }
    }

    /// Publishes a marker and waits until the observer saw it: everything published before has then
    /// reached the observer too (Redis delivers to one subscriber in order).
    func settle() async throws {
        let observer = try #require(observer, "settle() needs the observer")
        let marker = UUID().uuidString
        let seen = await eventually(within: .seconds(10), every: .milliseconds(50)) {
            try await redis.cli("PUBLISH", Self.markerChannel, marker)
            return observedMessages().contains { $0.channel == Self.markerChannel && $0.payload == marker }
        }
        try #require(seen, "the observer did not see marker \(marker): \(observer.text(of: .standardError))")
    }

    private func observedMessages() -> [(channel: String, payload: String)] {
        let lines = observer?.lines() ?? []
        return lines.indices.filter { $0 + 3 < lines.count && lines[$0] == "pmessage" }
            .map { (channel: lines[$0 + 2], payload: lines[$0 + 3]) }
    }

    // MARK: Orders

    /// A `POST /orders` body.
    static func order(customer: String = "c-1", sku: String = "BOOK-1", quantity: Int = 1,
                      card: String = "4242424242424242") -> String {
        #"{"customerId":"\#(customer)","items":[{"sku":"\#(sku)","quantity":\#(quantity)}],"#
            + #""payment":{"card":"\#(card)"}}"#
    }

    /// Polls `GET /orders/{id}` until the order is confirmed or cancelled.
    func finalOrder(_ id: String) async throws -> [String: Any] {
        var last: HTTPReply?
        let done = await eventually(within: .seconds(20), every: .milliseconds(50)) {
            last = try await http.get("/orders/\(id)")
            let status = last?.json?["status"] as? String
            return status == "confirmed" || status == "cancelled"
        }
        try #require(done, "order \(id) did not end: \(String(describing: last))")
        return try #require(last?.json)
    }
}
