import Foundation
import TestSupport
import Testing

/// A saga on the streams transport whose service processes a test can kill, start again and multiply:
/// a private redis-server, and each service in its own `switchboard run SERVICE --transport streams`
/// process, with fast claiming (1 s) and at most three deliveries.
final class DurabilityHarness: @unchecked Sendable {
    let redis: RedisServer
    private let config: String
    private var processes: [String: ChildProcess] = [:]

    private init(redis: RedisServer, config: String) {
        self.redis = redis
        self.config = config
    }

    /// Starts Redis and writes the configuration; start services with `start(_:instance:)`.
    static func make(appendOnly: Bool = false) async throws -> DurabilityHarness {
        let redis = try await RedisServer.start(RedisServer.Options(appendOnly: appendOnly))
        let config = redis.directory + "/switchboard.json"
        let settings = """
            {"catalog": "\(Repository.path("Config/catalog.json"))", "shutdownGraceSeconds": 5,
             "streams": {"claimIdleMilliseconds": 1000, "maximumDeliveries": 3}}
            """
        try settings.write(toFile: config, atomically: true, encoding: .utf8)
        return DurabilityHarness(redis: redis, config: config)
    }

    /// Starts `switchboard run SERVICE` as instance `instance` (its name in the consumer group).
    func start(_ service: String, instance: String) throws {
        processes[instance] = try ChildProcess(Executable.switchboard, [
            "run", service, "--transport", "streams", "--redis", redis.urlString, "--config", config,
            "--instance", instance, "--log-level", "warning",
        ])
    }

    /// Starts one instance of each saga service and waits until their consumer groups exist.
    func startSaga() async throws {
        for service in ["order", "stock", "payment", "notification"] {
            try start(service, instance: "\(service)-1")
        }
        let ready = await eventually(within: .seconds(20)) {
            for (stream, groups) in [("order.created", 3), ("stock.reserved", 2), ("order.confirmed", 2)] {
                let info = try await redis.cli("XINFO", "GROUPS", stream)
                guard info.split(separator: "\n").filter({ $0 == "name" }).count == groups else { return false }
            }
            return true
        }
        try #require(ready, "the services did not create their consumer groups in time")
    }

    /// Kills an instance at once (`SIGKILL`): whatever it had in flight stays pending.
    func kill(_ instance: String) {
        processes[instance]?.kill()
        processes[instance] = nil
    }

    /// Stops every instance (`SIGTERM`, expecting exit 0) and the server.
    func stop() async {
        for process in processes.values { process.send(signal: SIGTERM) }
        for (instance, process) in processes {
            let termination = await process.waitForExit(timeout: .seconds(15))
            #expect(termination == .exited(0), "\(instance): \(process.text(of: .standardError).suffix(2000))")
        }
        processes = [:]
        redis.shutDown()
    }

    /// Adds `count` bare orders for `sku` with `card` through one `redis-cli` reading commands from a file.
    func addOrders(_ ids: [String], sku: String = "BOOK-1", card: String = "4242424242424242") async throws {
        let file = redis.directory + "/orders-\(ids.first ?? "none").txt"
        let lines = ids.map { id in
            #"XADD order.created * event '{"orderId":"\#(id)","customerId":"c-\#(id)","items":[{"sku":"\#(sku)","#
                + #""quantity":1}],"payment":{"card":"\#(card)"}}'"#
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let command = ([Executable.redisCLI] + redis.redisCLIArguments).joined(separator: " ")
        let result = try await ChildProcess.run("/bin/sh", ["-c", "\(command) < '\(file)' > /dev/null"])
        try #require(result.exitCode == 0, "\(result)")
    }

    /// The status of every order whose record exists, by id.
    func statuses(_ ids: [String]) async throws -> [String: String] {
        var statuses: [String: String] = [:]
        for chunk in stride(from: 0, to: ids.count, by: 200).map({ Array(ids[$0..<min($0 + 200, ids.count)]) }) {
            let values = try await redis.cli(["MGET"] + chunk.map { "order:\($0)" }).split(separator: "\n",
                                                                                             omittingEmptySubsequences: false)
            for (id, value) in zip(chunk, values) where !value.isEmpty {
                let record = try JSONSerialization.jsonObject(with: Data(value.utf8)) as? [String: Any]
                statuses[id] = record?["status"] as? String
            }
        }
        return statuses
    }

    /// Waits until every order is confirmed or cancelled; returns the statuses at the end.
    func waitUntilFinal(_ ids: [String], within timeout: Duration = .seconds(90)) async throws -> [String: String] {
        var statuses: [String: String] = [:]
        _ = await eventually(within: timeout, every: .milliseconds(250)) {
            statuses = try await self.statuses(ids)
            return ids.allSatisfy { statuses[$0] == "confirmed" || statuses[$0] == "cancelled" }
        }
        return statuses
    }

    /// How many `payment.completed` entries name each order.
    func charges() async throws -> [String: Int] {
        let text = try await redis.cli("XRANGE", "payment.completed", "-", "+")
        var charges: [String: Int] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("{") {
            let event = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            if let order = (event?["data"] as? [String: Any])?["orderId"] as? String { charges[order, default: 0] += 1 }
        }
        return charges
    }

    /// A SKU's `available` and `reserved` units.
    func stock(_ sku: String) async throws -> (available: Int, reserved: Int) {
        let fields = try await redis.cli("HMGET", "stock:item:\(sku)", "available", "reserved").split(separator: "\n")
        return (Int(fields.first ?? "") ?? -1, Int(fields.last ?? "") ?? -1)
    }

    /// Entries pending in a group of a stream (`XPENDING` summary count).
    func pending(_ stream: String, group: String) async throws -> Int {
        Int(try await redis.cli("XPENDING", stream, group).split(separator: "\n").first ?? "") ?? -1
    }
}
