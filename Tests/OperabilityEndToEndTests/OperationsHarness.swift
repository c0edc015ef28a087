import Foundation
import OrderService
import StockService
import TestSupport
import Testing

/// A running system for operability tests: a `SwitchboardSystem` (a private redis-server and one
/// configuration: fast breaker, short grace) and `switchboard run` processes, each running a set of services.
final class OperationsHarness: @unchecked Sendable {
    let system: SwitchboardSystem
    var redis: RedisServer { system.redis }
    let http: HTTPClient
    let port: Int
    private var processes: [String: ChildProcess] = [:]

    private init(system: SwitchboardSystem, port: Int) {
        self.system = system
        self.port = port
        self.http = HTTPClient(port: port, scratch: system.redis.directory)
    }

    /// Starts Redis and writes the configuration; start processes with `start(_:services:)`.
    /// - Parameters:
    ///   - appendOnly: whether redis-server keeps an append-only file; `fsyncAlways` makes it write every
    ///     change to disk before answering (`appendfsync always`), so even `SIGKILL` loses nothing answered.
    ///   - paymentTimeoutMilliseconds: how long one provider attempt may take.
    ///   - coolDownMilliseconds: how long the payment breaker stays open before a trial call.
    static func make(transport: String = "pubsub", appendOnly: Bool = false, fsyncAlways: Bool = false,
                     paymentTimeoutMilliseconds: Int = 2000,
                     coolDownMilliseconds: Int = 1500) async throws -> OperationsHarness {
        let system = try await SwitchboardSystem.start(
            transport: transport,
            redis: RedisServer.Options(appendOnly: appendOnly,
                                       extraArguments: fsyncAlways ? ["--appendfsync", "always"] : []),
            settings: """
                "shutdownGraceSeconds": 5,
                 "payment": {"retries": 1, "timeoutMilliseconds": \(paymentTimeoutMilliseconds),
                             "breaker": {"failureThreshold": 3, "coolDownMilliseconds": \(coolDownMilliseconds)}},
                 "streams": {"claimIdleMilliseconds": 1000}
                """
        )
        return OperationsHarness(system: system, port: FreePort.next())
    }

    /// Starts `switchboard run SERVICES…` as process `name` (also its instance name).
    func start(_ name: String, services: [String] = []) throws {
        processes[name] = try system.spawn(["run"] + services + [
            "--http-port", String(port), "--instance", name, "--log-level", "warning",
        ])
    }

    /// Runs `switchboard ARGUMENTS…` once against this system (e.g. `health`, `trace ID`).
    func switchboard(_ arguments: [String]) async throws -> ChildProcess.Result {
        try await system.switchboard(arguments)
    }

    /// The process named `name`.
    func process(_ name: String) -> ChildProcess? { processes[name] }

    /// Forgets a process that was stopped by the test.
    func forget(_ name: String) { processes[name] = nil }

    /// Waits until `GET /health` answers 200.
    func waitUntilHealthy(within timeout: Duration = .seconds(20)) async throws {
        let healthy = await eventually(within: timeout, every: .milliseconds(100)) {
            try await http.get("/health", timeout: 3).status == 200
        }
        let logs = processes.map { "\($0.key): \($0.value.text(of: .standardError).suffix(1500))" }
        try #require(healthy, "the system did not become healthy: \(logs)")
    }

    /// `POST /orders` for one unit of `sku`, waiting up to `wait` seconds for the outcome.
    func order(sku: String = "BOOK-1", card: String = "4242424242424242", wait: Int = 10) async throws -> HTTPReply {
        try await http.post("/orders", json: #"{"customerId":"c-ops","items":[{"sku":"\#(sku)","quantity":1}],"#
            + #""payment":{"card":"\#(card)"}}"#, headers: ["Prefer": "wait=\(wait)"])
    }

    /// Adds one order of one BOOK-1 per id to the `order.created` stream, through one `redis-cli`.
    func addOrders(_ ids: [String]) async throws {
        try await redis.cli(script: ids.map { id in
            #"XADD order.created * event '{"orderId":"\#(id)","customerId":"c","#
                + #""items":[{"sku":"BOOK-1","quantity":1}],"payment":{"card":"4242424242424242"}}'"#
        }, name: "orders-\(ids.first ?? "none").txt")
    }

    /// How many of `ids` are confirmed.
    func confirmed(_ ids: [String]) async throws -> Int {
        try await redis.field("status", ofEach: ids.map { OrderKeys.order($0) }).filter { $0 == "confirmed" }.count
    }

    /// Waits until every order of `ids` is confirmed; false when `timeout` ran out first.
    func allConfirmed(_ ids: [String], within timeout: Duration = .seconds(60)) async -> Bool {
        await eventually(within: timeout, every: .milliseconds(250)) { try await confirmed(ids) == ids.count }
    }

    /// Checks what must hold once `ids` (every order sent, all of one BOOK-1, all confirmed) settled: one
    /// `payment.completed` and one `order.confirmed` each on the streams, one charge of 1250 each in the
    /// provider's ledger and nothing else, and BOOK-1's stock down by one per order with nothing reserved.
    func expectSettledOnce(_ ids: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for stream in ["payment.completed", "order.confirmed"] {
            let text = try await redis.cli("XRANGE", stream, "-", "+")
            let counts = text.matches(of: /"orderId":"([^"]+)"/)
                .reduce(into: [String: Int]()) { $0[String($1.1), default: 0] += 1 }
            let wrong = ids.filter { counts[$0] != 1 }
            #expect(wrong.isEmpty, "\(stream) not once for \(wrong.prefix(10))", sourceLocation: sourceLocation)
        }
        let ledger = try await ProviderLedger.read(from: redis)
        let money = ledger.violations(confirmed: Dictionary(uniqueKeysWithValues: ids.map { ($0, 1250) }),
                                      cancelled: [])
        #expect(money.isEmpty, "money: \(money.prefix(10))", sourceLocation: sourceLocation)
        var stock = ""
        let settled = await eventually(within: .seconds(20), every: .milliseconds(200)) {
            stock = try await redis.cli("HMGET", StockKeys.item("BOOK-1"), "available", "reserved")
            return stock == "\(1_000_000 - ids.count)\n0"
        }
        #expect(settled, "BOOK-1 available/reserved: \(stock), expected \(1_000_000 - ids.count)/0",
                sourceLocation: sourceLocation)
    }

    /// Stops every process (`SIGTERM`, expecting exit 0) and the server.
    func stop() async {
        await ChildProcess.stopGracefully(processes)
        processes = [:]
        system.shutDown()
    }
}
