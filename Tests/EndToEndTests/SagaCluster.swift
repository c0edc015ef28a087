import Foundation
import OrderService
import SagaEvents
import StockService
import SwitchboardApp
import Synchronization
import SystemReads
import TestSupport
import Testing

/// The saga for one end-to-end test: a `SwitchboardSystem` (a private redis-server and the services' own
/// settings file), each service of the saga in its own `switchboard run SERVICE` process, and a
/// `redis-cli PSUBSCRIBE '*'` process recording every event.
final class SagaCluster: Sendable {
    /// The services an order needs, as production names them (`HealthReport.requiredServices`).
    static let services = HealthReport.requiredServices

    let system: SwitchboardSystem
    var redis: RedisServer { system.redis }
    var transport: String { system.transport }
    private let processes: Mutex<[String: ChildProcess]>
    private let observer: ChildProcess

    /// Every event type of the saga.
    static let eventTypes = EventTypes.all

    private init(system: SwitchboardSystem, observer: ChildProcess) {
        self.system = system
        self.processes = Mutex([:])
        self.observer = observer
    }

    /// Starts everything and waits until every service and the observer listen.
    /// - Parameters:
    ///   - environment: more environment variables for the services.
    ///   - appendOnly: whether redis-server keeps an append-only file, so its data outlives `redis.restart()`.
    ///   - settings: members of the settings file besides the catalog, e.g. `"payment": {…}`.
    ///   - simulator: fields of the payment simulator's control hash (`payment:simulator`) set before the
    ///     services start, e.g. `answerDelayMilliseconds`.
    static func start(transport: String, environment extra: [String: String] = [:], appendOnly: Bool = false,
                      settings: String = "", simulator: [String: String] = [:]) async throws -> SagaCluster {
        let system = try await SwitchboardSystem.start(
            transport: transport, redis: RedisServer.Options(appendOnly: appendOnly), settings: settings,
            environment: extra
        )
        do {
            if !simulator.isEmpty {
                try await system.redis.cli(["HSET", "payment:simulator"] + simulator.flatMap { [$0.key, $0.value] })
            }
            let observer = try ChildProcess(Executable.redisCLI, system.redis.redisCLIArguments + ["PSUBSCRIBE", "*"])
            let cluster = SagaCluster(system: system, observer: observer)
            for service in services { try cluster.launch(service) }
            try await cluster.waitUntilReady()
            return cluster
        } catch {
            system.shutDown()
            throw error
        }
    }

    /// Stops every process (SIGTERM, expecting exit 0) and the server.
    func stop() async {
        await ChildProcess.stopGracefully(processes.withLock { $0 }, timeout: .seconds(10))
        observer.kill()
        system.shutDown()
    }

    /// Kills a service's process at once (`SIGKILL`), as a crash would, and starts a new one, then waits
    /// until every service listens again.
    func killAndRestart(_ service: String) async throws {
        kill(service)
        try await restart(service)
    }

    /// Kills a service's process at once (`SIGKILL`), as a crash would; `restart(_:)` starts it again.
    func kill(_ service: String) {
        processes.withLock { $0[service] }?.kill()
    }

    /// Starts a new process for a service, then waits until every service listens again.
    func restart(_ service: String) async throws {
        try launch(service)
        try await waitUntilReady()
    }

    private func launch(_ service: String, arguments: [String] = []) throws {
        let process = try spawn(["run", service] + arguments)
        processes.withLock { $0[service] = process }
    }

    /// Starts `switchboard` with `arguments` against this cluster, e.g. `tail`; the caller stops it.
    func spawn(_ arguments: [String]) throws -> ChildProcess {
        try system.spawn(arguments)
    }

    /// Starts the HTTP ingress (`switchboard run ingress`) on a free port and waits until `/health` is `200`.
    /// Start it last: `killAndRestart(_:)` does not expect its subscriptions.
    /// - Returns: a client of the ingress.
    func startIngress() async throws -> HTTPClient {
        let port = FreePort.next()
        try launch("ingress", arguments: ["--http-port", String(port)])
        let http = HTTPClient(port: port, scratch: redis.directory)
        let serving = await eventually(within: .seconds(20), every: .milliseconds(100)) {
            try await http.get("/health", timeout: 2).status == 200
        }
        let log = processes.withLock { $0["ingress"] }?.text(of: .standardError) ?? ""
        try #require(serving, "the ingress did not get healthy: \(log)")
        return http
    }

    /// Every line the switchboard processes wrote so far, standard output and standard error.
    func processOutput() -> [String] {
        processes.withLock { $0.values.flatMap { $0.lines(of: .standardOutput) + $0.lines(of: .standardError) } }
    }

    /// What a service's process logged so far.
    func log(of service: String) -> String {
        processes.withLock { $0[service] }?.text(of: .standardError) ?? ""
    }

    /// Runs `switchboard` once against this cluster's server, transport and settings.
    func switchboard(_ arguments: [String]) async throws -> ChildProcess.Result {
        try await system.switchboard(arguments)
    }

    /// How `orders` (every order sent to the server) break the money invariant at the simulated provider,
    /// from the order records and the provider's ledger (`ProviderLedger.violations`); empty when it holds.
    func moneyViolations(of orders: [String]) async throws -> [String] {
        var confirmed: [String: Int] = [:]
        for id in orders {
            if let record = try await order(id), record["status"] as? String == "confirmed" {
                confirmed[id] = record["amount"] as? Int ?? -1
            }
        }
        let ledger = try await ProviderLedger.read(from: redis)
        return ledger.violations(confirmed: confirmed, cancelled: orders.filter { confirmed[$0] == nil })
    }

    /// Publishes with the real `redis-cli`: `PUBLISH` on pub/sub, `XADD channel * event …` on streams.
    func publish(_ channel: String, _ payload: String) async throws {
        if transport == "streams" {
            _ = try await redis.cli("XADD", channel, "*", "event", payload)
        } else {
            _ = try await redis.cli("PUBLISH", channel, payload)
        }
    }

    /// Publishes many messages at once through one `redis-cli` reading commands from a file.
    func publishAll(_ messages: [(channel: String, payload: String)]) async throws {
        // redis-cli reads single-quoted arguments like a shell; the payloads here hold no single quote.
        let lines = messages.map { message in
            transport == "streams" ? "XADD \(message.channel) * event '\(message.payload)'"
                : "PUBLISH \(message.channel) '\(message.payload)'"
        }
        try await redis.cli(script: lines, name: "commands.txt")
    }

    /// A bare `order.created` payload.
    static func order(_ id: String, customer: String = "c-1", sku: String, quantity: Int = 1,
                      card: String = "4242424242424242") -> String {
        #"{"orderId":"\#(id)","customerId":"\#(customer)","items":[{"sku":"\#(sku)","quantity":\#(quantity)}],"#
            + #""payment":{"card":"\#(card)"}}"#
    }

    /// The order service's record of the order (a hash), once it exists: the one-line fields the tests
    /// read (`status`, `reason`, `amount` as a number, `currency`, `customerId`).
    func order(_ id: String) async throws -> [String: Any]? {
        let names = ["status", "reason", "amount", "currency", "customerId"]
        let values = try await redis.cli(["HMGET", OrderKeys.order(id)] + names)
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard values.first.map({ !$0.isEmpty }) == true else { return nil }
        var record: [String: Any] = [:]
        for (name, value) in zip(names, values) where !value.isEmpty {
            record[name] = name == "amount" ? Int(value) as Any : value
        }
        return record
    }

    /// Waits until the order is confirmed or cancelled and returns its record.
    func finalOrder(_ id: String, within timeout: Duration = .seconds(20)) async throws -> [String: Any] {
        var last: [String: Any]?
        let done = await eventually(within: timeout) {
            last = try await order(id)
            let status = last?["status"] as? String
            return status == "confirmed" || status == "cancelled"
        }
        try #require(done, "order \(id) did not finish: \(String(describing: last))")
        return try #require(last)
    }

    /// A SKU's `available` and `reserved` units.
    func stock(_ sku: String) async throws -> (available: Int, reserved: Int) {
        let available = Int(try await redis.cli("HGET", StockKeys.item(sku), "available")) ?? -1
        let reserved = Int(try await redis.cli("HGET", StockKeys.item(sku), "reserved")) ?? -1
        return (available, reserved)
    }

    /// The events on `channel` whose data names `orderID`: those the `PSUBSCRIBE` observer saw on pub/sub,
    /// those in the stream (`XRANGE`) on streams.
    func events(on channel: String, for orderID: String) async throws -> [[String: Any]] {
        let payloads: [String]
        if transport == "streams" {
            let lines = try await redis.cli("XRANGE", channel, "-", "+").split(separator: "\n").map(String.init)
            payloads = lines.indices.filter { $0 > 0 && lines[$0 - 1] == "event" }.map { lines[$0] }
        } else {
            let lines = observer.lines()
            payloads = lines.indices.filter { index in
                index >= 3 && lines[index - 3] == "pmessage" && lines[index - 1] == channel
            }.map { lines[$0] }
        }
        return payloads.compactMap { payload in
            guard let event = try? JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any],
                  let data = event["specversion"] == nil ? event : event["data"] as? [String: Any],
                  data["orderId"] as? String == orderID
            else { return nil }
            return event
        }
    }

    /// Waits until the saga is quiet: on streams every consumer group has read and acknowledged every entry,
    /// and on both transports no event came for half a second. What happens once must have happened
    /// once by then, and what would happen twice would have happened twice.
    func waitForQuiescence() async -> Bool {
        var last = -1
        var quietSince = ContinuousClock.now
        return await eventually(within: .seconds(30), every: .milliseconds(100)) {
            let count = try await eventCount()
            if count != last {
                last = count
                quietSince = .now
            }
            guard try await drained() else { return false }
            return ContinuousClock.now - quietSince >= .milliseconds(500)
        }
    }

    /// How many events passed: the observer's messages on pub/sub, the entries of every stream on streams.
    private func eventCount() async throws -> Int {
        guard transport == "streams" else { return observer.lines().filter { $0 == "pmessage" }.count }
        var total = 0
        for stream in Self.eventTypes { total += Int(try await redis.cli("XLEN", stream)) ?? 0 }
        return total
    }

    /// Whether every consumer group of every stream has nothing pending and nothing unread (always on pub/sub).
    private func drained() async throws -> Bool {
        guard transport == "streams" else { return true }
        for stream in Self.eventTypes {
            let fields = try await redis.cli("XINFO", "GROUPS", stream).split(separator: "\n").map(String.init)
            for index in fields.indices.dropLast() where ["pending", "lag"].contains(fields[index]) {
                if fields[index + 1] != "0" { return false }
            }
        }
        return true
    }

    /// Waits until an event on `channel` for the order has passed.
    func waitForEvent(on channel: String, for orderID: String) async -> Bool {
        await eventually(within: .seconds(20)) { try await !events(on: channel, for: orderID).isEmpty }
    }

    /// The dead letters, as `redis-cli XRANGE` shows them: one field map each, with the entry's `id`.
    func deadLetters() async throws -> [[String: String]] {
        let text = try await redis.cli("XRANGE", "switchboard:deadletters", "-", "+")
        var letters: [[String: String]] = []
        var current: [String: String] = [:]
        var pendingField: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if pendingField == nil, line.range(of: #"^\d+-\d+$"#, options: .regularExpression) != nil {
                if !current.isEmpty { letters.append(current) }
                current = ["id": line]
            } else if let field = pendingField {
                current[field] = line
                pendingField = nil
            } else {
                pendingField = line
            }
        }
        if !current.isEmpty { letters.append(current) }
        return letters
    }

    /// What the running processes consume, from the production wiring (each service's `subscriptions`, as
    /// the ACLs take them): the readiness check. The ingress, when it runs, watches the final events too.
    private var consumers: [(name: String, channels: [String])] {
        let ingressRuns = processes.withLock { $0["ingress"] != nil }
        return AccessPolicy.services.filter { role in
            Self.services.contains(role.name) || (ingressRuns && role.name == "ingress")
        }.map { ($0.name, $0.consumes) }
    }

    private func waitUntilReady() async throws {
        let ready = await eventually(within: .seconds(20)) {
            guard Int(try await redis.cli("PUBSUB", "NUMPAT")) ?? 0 >= 1 else { return false }
            return try await system.isConsuming(consumers)
        }
        let logs = processes.withLock { $0.values.map { "\($0.commandLine): \($0.text(of: .standardError))" } }
            .joined(separator: "\n")
        try #require(ready, "the services did not subscribe in time:\n\(logs)")
    }
}
