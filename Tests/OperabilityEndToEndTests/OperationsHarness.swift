import Foundation
import TestSupport
import Testing

/// A running system for operability tests: a private redis-server and `switchboard run` processes,
/// each running a set of services, sharing one configuration (fast breaker, short grace).
final class OperationsHarness: @unchecked Sendable {
    let redis: RedisServer
    let http: HTTPClient
    let config: String
    let port: Int
    let transport: String
    private var processes: [String: ChildProcess] = [:]

    private init(redis: RedisServer, config: String, port: Int, transport: String) {
        self.redis = redis
        self.config = config
        self.port = port
        self.transport = transport
        self.http = HTTPClient(port: port, scratch: redis.directory)
    }

    /// Starts Redis and writes the configuration; start processes with `start(_:services:)`.
    static func make(transport: String = "pubsub", appendOnly: Bool = false) async throws -> OperationsHarness {
        let redis = try await RedisServer.start(RedisServer.Options(appendOnly: appendOnly))
        let config = redis.directory + "/switchboard.json"
        let settings = """
            {"catalog": "\(Repository.path("Config/catalog.json"))", "shutdownGraceSeconds": 5,
             "payment": {"retries": 1, "breaker": {"failureThreshold": 3, "coolDownMilliseconds": 1500}},
             "streams": {"claimIdleMilliseconds": 1000}}
            """
        try settings.write(toFile: config, atomically: true, encoding: .utf8)
        return OperationsHarness(redis: redis, config: config, port: FreePort.next(), transport: transport)
    }

    /// Starts `switchboard run SERVICES…` as process `name` (also its instance name).
    func start(_ name: String, services: [String] = []) throws {
        processes[name] = try ChildProcess(Executable.switchboard, ["run"] + services + [
            "--redis", redis.urlString, "--http-port", String(port), "--config", config, "--transport", transport,
            "--instance", name, "--log-level", "warning",
        ])
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

    /// Stops every process (`SIGTERM`, expecting exit 0) and the server.
    func stop() async {
        for process in processes.values { process.send(signal: SIGTERM) }
        for (name, process) in processes {
            let termination = await process.waitForExit(timeout: .seconds(15))
            #expect(termination == .exited(0), "\(name): \(process.text(of: .standardError).suffix(1500))")
        }
        processes = [:]
        redis.shutDown()
    }
}
