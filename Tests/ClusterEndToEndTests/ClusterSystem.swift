import Foundation
import OrderService
import RedisClient
import StockService
import TestSupport
import Testing

/// The whole system on a Redis Cluster of real `redis-server --cluster-enabled yes` nodes: `switchboard run`
/// processes whose `--redis` is the cluster's `redis+cluster://` URL, the first with every service and the
/// ingress, more instances of the services on demand.
final class ClusterSystem: @unchecked Sendable {
    let cluster: RedisCluster
    let http: HTTPClient
    let transport: String
    /// The `switchboard run` processes, the one with the ingress first.
    private(set) var processes: [ChildProcess]
    private let config: String
    private let client: RedisClient

    private init(cluster: RedisCluster, http: HTTPClient, transport: String, process: ChildProcess, config: String) {
        self.cluster = cluster
        self.http = http
        self.transport = transport
        self.processes = [process]
        self.config = config
        self.client = cluster.makeClient()
    }

    /// Starts a cluster and `switchboard run` (every service and the ingress, taking up to 256 orders at once,
    /// so that 200 concurrent ones are not shed with 503) on it, runs `body`, then stops
    /// every process (each must exit 0 unless the test killed it) and every node.
    /// - Parameters:
    ///   - primaries: how many primaries (at least 3).
    ///   - replicas: how many replicas each primary has.
    ///   - transport: `pubsub` or `streams`.
    ///   - body: the test.
    static func with(
        primaries: Int = 3, replicas: Int = 0, transport: String, _ body: (ClusterSystem) async throws -> Void
    ) async throws {
        try await withRedisCluster(primaries: primaries, replicas: replicas) { cluster in
            let folder = cluster.nodes[0].directory
            let config = try TestSettings.write(in: folder, """
                "shutdownGraceSeconds": 5,
                "redis": {"connectTimeoutMilliseconds": 500, "commandTimeoutMilliseconds": 3000},
                "streams": {"claimIdleMilliseconds": 1000},
                "http": {"maximumPendingOrders": 256}
                """)
            let port = FreePort.next()
            let process = try ChildProcess(Executable.switchboard, [
                "run", "--redis", cluster.urlString, "--http-port", String(port), "--config", config,
                "--transport", transport, "--instance", "cluster-1", "--log-level", "notice",
            ], environment: TestSettings.environment())
            let system = ClusterSystem(cluster: cluster, http: HTTPClient(port: port, scratch: folder),
                                       transport: transport, process: process, config: config)
            do {
                let healthy = await eventually(within: .seconds(30), every: .milliseconds(100)) {
                    try await system.http.get("/health", timeout: 3).status == 200
                }
                try #require(healthy, "the system did not become healthy: \(process.text(of: .standardError).suffix(3000))")
                try await body(system)
            } catch {
                for process in system.processes { process.kill() }
                throw error
            }
            for process in system.processes where process.isRunning {
                process.send(signal: SIGTERM)
                let termination = await process.waitForExit(timeout: .seconds(15))
                #expect(termination == .exited(0), "\(process.text(of: .standardError).suffix(3000))")
            }
        }
    }

    /// Starts another instance of the services (not the ingress) on the cluster.
    /// - Returns: the process, also kept in `processes`.
    @discardableResult
    func startServices(instance: String) throws -> ChildProcess {
        let process = try ChildProcess(Executable.switchboard, [
            "run", "order", "stock", "payment", "notification", "--redis", cluster.urlString, "--config", config,
            "--transport", transport, "--instance", instance, "--log-level", "notice",
        ], environment: TestSettings.environment())
        processes.append(process)
        return process
    }

    /// Posts an order and waits up to 10 s for its final state.
    /// - Returns: the answer.
    func order(_ items: String, card: String = "4242424242424242", customer: String = "c-cluster") async throws
        -> HTTPReply
    {
        try await http.post("/orders", json: #"{"customerId":"\#(customer)","items":\#(items),"payment":{"card":"\#(card)"}}"#,
                            headers: ["Prefer": "wait=10"])
    }

    /// Waits until every order of `ids` has a final status (`confirmed` or `cancelled`), or `timeout` passed.
    /// - Returns: the status of each order that has a record, final or not.
    func finalStatuses(of ids: [String], within timeout: Duration = .seconds(40)) async throws -> [String: String] {
        var statuses: [String: String] = [:]
        _ = await eventually(within: timeout, every: .milliseconds(250)) {
            // The orders not final yet, in one pipeline (split per node by the client).
            let pending = ids.filter { !["confirmed", "cancelled"].contains(statuses[$0]) }
            let replies = try await client.pipeline(pending.map { id in
                RedisCommand("HGET", OrderKeys.order(id), "status").routed(by: OrderKeys.order(id))
            })
            for (id, reply) in zip(pending, replies) {
                if let status = reply.string { statuses[id] = status }
            }
            return ids.allSatisfy { ["confirmed", "cancelled"].contains(statuses[$0]) }
        }
        return statuses
    }

    /// The stock of `sku` on the primary serving the stock counters.
    func stock(of sku: String) async throws -> (available: Int, reserved: Int) {
        let key = StockKeys.item(sku)
        let node = try await cluster.primary(serving: HashSlot(key: key))
        let fields = try await node.cli("HMGET", key, "available", "reserved").split(separator: "\n")
        return (fields.first.flatMap { Int($0) } ?? -1, fields.dropFirst().first.flatMap { Int($0) } ?? -1)
    }

    /// The simulated provider's ledger, from the primary serving its slot.
    func providerLedger() async throws -> ProviderLedger {
        try await ProviderLedger.read(from: cluster.primary(serving: HashSlot(key: ProviderLedger.chargesKey)))
    }

    /// Orders flow over HTTP for `before`, then `disrupt` runs, then for `after`; then every acknowledged
    /// order is given time to end.
    func measure(
        before: Duration = .seconds(3), after: Duration = .seconds(8), disrupt: () async throws -> Void
    ) async throws -> FailoverRun {
        try await FailoverRun.measure(http: http, before: before, after: after, disrupt: disrupt) { ids in
            try await finalStatuses(of: ids)
        }
    }

    /// The money invariant once the orders ended: no order charged twice at the provider.
    /// - Returns: the charges kept (not refunded), one per confirmed order.
    @discardableResult
    func expectNoOrderChargedTwice(sourceLocation: SourceLocation = #_sourceLocation) async throws -> Int {
        let ledger = try await providerLedger()
        var charges: [String: Int] = [:]
        for charge in ledger.charges { charges[charge.key, default: 0] += 1 }
        let twice = charges.filter { $0.value > 1 }.map(\.key)
        #expect(twice.isEmpty, "charged twice at the provider: \(twice)", sourceLocation: sourceLocation)
        let refunded = Set(ledger.refunds.map(\.key))
        return charges.keys.filter { !refunded.contains($0) }.count
    }

    /// The stock's books once the orders ended, besides `expectNoOrderChargedTwice`: nothing is left reserved,
    /// and BOOK-1's stock is its initial stock less one unit per charge kept (every order of the load buys
    /// one BOOK-1; a cancelled order's charge, if any, was refunded).
    func expectBooksBalance(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let kept = try await expectNoOrderChargedTwice(sourceLocation: sourceLocation)
        var stock = try await stock(of: "BOOK-1")
        _ = await eventually(within: .seconds(20), every: .milliseconds(250)) {
            stock = try await self.stock(of: "BOOK-1")
            return stock.reserved == 0
        }
        #expect(stock.reserved == 0, "\(stock)", sourceLocation: sourceLocation)
        #expect(stock.available + kept == 1_000_000, "\(stock), \(kept) charges kept", sourceLocation: sourceLocation)
    }
}
