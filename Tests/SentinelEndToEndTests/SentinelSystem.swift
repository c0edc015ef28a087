import Foundation
import OrderService
import TestSupport
import Testing

/// The whole system on the streams transport against a Sentinel deployment: one `switchboard run` process
/// (every service and the ingress) whose `--redis` is the deployment's `redis+sentinel://` URL.
final class SentinelSystem: @unchecked Sendable {
    let deployment: RedisSentinelDeployment
    let http: HTTPClient
    let process: ChildProcess

    private init(deployment: RedisSentinelDeployment, http: HTTPClient, process: ChildProcess) {
        self.deployment = deployment
        self.http = http
        self.process = process
    }

    /// Starts a deployment (a primary, its replicas, three Sentinels) and `switchboard run` against it, runs
    /// `body`, then stops the process (it must exit 0 when `body` returned) and every Redis process.
    /// - Parameters:
    ///   - replicas: how many replicas.
    ///   - durableAcceptMilliseconds: `http.durableAcceptMilliseconds`; 0 answers without waiting for a replica.
    ///   - body: the test.
    static func with(
        replicas: Int = 2, durableAcceptMilliseconds: Int, _ body: (SentinelSystem) async throws -> Void
    ) async throws {
        try await withRedisSentinelDeployment(replicas: replicas) { deployment in
            let folder = deployment.sentinels[0].directory
            let config = folder + "/switchboard.json"
            try """
                {"catalog": "\(Repository.path("Config/catalog.json"))", "shutdownGraceSeconds": 5,
                 "redis": {"connectTimeoutMilliseconds": 500, "commandTimeoutMilliseconds": 2000},
                 "http": {"durableAcceptMilliseconds": \(durableAcceptMilliseconds)},
                 "streams": {"claimIdleMilliseconds": 1000}}
                """.write(toFile: config, atomically: true, encoding: .utf8)
            let port = FreePort.next()
            let environment = TestSettings.environment()
            let process = try ChildProcess(Executable.switchboard, [
                "run", "--redis", deployment.urlString, "--http-port", String(port), "--config", config,
                "--transport", "streams", "--instance", "ha-1", "--log-level", "notice",
            ], environment: environment)
            let system = SentinelSystem(deployment: deployment, http: HTTPClient(port: port, scratch: folder),
                                        process: process)
            do {
                let healthy = await eventually(within: .seconds(30), every: .milliseconds(100)) {
                    try await system.http.get("/health", timeout: 3).status == 200
                }
                try #require(healthy, "the system did not become healthy: \(process.text(of: .standardError).suffix(2000))")
                try await body(system)
            } catch {
                process.kill()
                throw error
            }
            process.send(signal: SIGTERM)
            let termination = await process.waitForExit(timeout: .seconds(15))
            #expect(termination == .exited(0), "\(process.text(of: .standardError).suffix(2000))")
        }
    }

    /// How many times the process logged that it followed a new primary.
    var failoversLogged: Int {
        process.text(of: .standardError).components(separatedBy: "Redis failover: following the new primary").count - 1
    }

    /// Orders flow for `before`, then `failOver` runs, then orders flow for `after`; then every acknowledged
    /// order is given time to end.
    /// - Returns: the figures, and which acknowledged orders did not end.
    func measure(
        before: Duration = .seconds(3), after: Duration = .seconds(8),
        failOver: () async throws -> Void
    ) async throws -> FailoverRun {
        try await FailoverRun.measure(http: http, before: before, after: after, disrupt: failOver) { ids in
            try await finalStatuses(of: ids)
        }
    }

    /// Kills the primary (`kill -9`) and waits until the Sentinels name a promoted replica.
    /// - Returns: the old primary, for `restart()`.
    @discardableResult
    func killPrimary() async throws -> RedisServer {
        let old = try await deployment.primary()
        old.crash()
        _ = try await deployment.waitForPrimary(otherThan: old)
        return old
    }

    /// The lines in which the process logged that it followed a new primary.
    var failoverLines: [String] {
        process.text(of: .standardError).split(separator: "\n").filter { $0.contains("Redis failover") }.map(String.init)
    }

    /// Waits until every order of `ids` has a final status (`confirmed` or `cancelled`) on the primary, or
    /// `timeout` passed.
    /// - Returns: the status of each order that has a record, final or not.
    func finalStatuses(of ids: [String], within timeout: Duration = .seconds(40)) async throws -> [String: String] {
        var statuses: [String: String] = [:]
        _ = await eventually(within: timeout, every: .milliseconds(250)) {
            let primary = try await deployment.primary()
            let values = try await primary.field("status", ofEach: ids.map { OrderKeys.order($0) })
            statuses = Dictionary(uniqueKeysWithValues: zip(ids, values).filter { !$0.1.isEmpty })
            return ids.allSatisfy { ["confirmed", "cancelled"].contains(statuses[$0]) }
        }
        return statuses
    }

    /// What the saga left on the primary: orders confirmed in all, BOOK-1's stock, and the orders charged
    /// more than once (`payment.completed` naming them twice).
    func ledger() async throws -> (confirmed: Int, available: Int, reserved: Int, chargedTwice: [String]) {
        let primary = try await deployment.primary()
        let script = """
            local confirmed = 0
            for _, key in ipairs(redis.call('KEYS', 'order:*')) do
                if redis.call('TYPE', key).ok == 'hash' and redis.call('HGET', key, 'status') == 'confirmed' then
                    confirmed = confirmed + 1
                end
            end
            local stock = redis.call('HMGET', 'stock:{stock}:item:BOOK-1', 'available', 'reserved')
            local charged, twice = {}, {}
            for _, entry in ipairs(redis.call('XRANGE', 'payment.completed', '-', '+')) do
                local id = string.match(entry[2][2], '"orderId":"([^"]+)"')
                if id then
                    if charged[id] then table.insert(twice, id) end
                    charged[id] = true
                end
            end
            return {confirmed, stock[1] or '-1', stock[2] or '-1', table.concat(twice, ',')}
            """
        let lines = try await primary.cli("EVAL", script, "0").split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines[0]) ?? -1, Int(lines[1]) ?? -1, Int(lines[2]) ?? -1,
                lines.count > 3 ? lines[3].split(separator: ",").map(String.init) : [])
    }
}
