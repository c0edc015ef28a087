import Foundation
import NotificationService
import RedisClient
import SwitchboardApp
import TestSupport
import Testing

/// The whole system, one `switchboard run` process with every service and the ingress (so one connection
/// set per service user in one process), against a server locked down with the generated ACLs.
@Suite(.serialized)
struct LockedDownSagaTests {
    static let confirmed = #"{"customerId":"c-1","items":[{"sku":"BOOK-1","quantity":2}],"payment":{"card":"4242424242424242"}}"#
    static let outOfStock = #"{"customerId":"c-1","items":[{"sku":"PEN-1","quantity":1}],"payment":{"card":"4242424242424242"}}"#
    static let declined = #"{"customerId":"c-2","items":[{"sku":"MUG-1","quantity":1}],"payment":{"card":"4000000000000002"}}"#

    @Test(arguments: ["pubsub", "streams"])
    func theSagaRunsToItsEndWithLeastPrivilege(transport: String) async throws {
        try await LockedDownBroker.with { broker in
            try await Self.withSystem(broker, transport: transport) { process, http in
                for (body, status) in [(Self.confirmed, "confirmed"), (Self.outOfStock, "cancelled"),
                                       (Self.declined, "cancelled")] {
                    let reply = try await http.post("/orders", json: body, headers: ["Prefer": "wait=10"])
                    #expect(reply.status == 200, "\(reply)")
                    #expect(reply.json?["status"] as? String == status, "\(reply) \(process.text(of: .standardError))")
                    let id = try #require(reply.json?["orderId"] as? String)
                    let events = try await http.get("/orders/\(id)/events")
                    #expect(events.status == 200, "\(events)")
                }
                // The notification service ran too, as its own user.
                let notified = await eventually {
                    try await broker.client("test-root").send("LLEN", NotificationKeys.customer("c-1")).int == 2
                }
                #expect(notified)
                let log = process.text(of: .standardError)
                #expect(!log.contains("NOPERM") && !log.contains("can't"), "\(log)")
            }
        }
    }

    /// A permission taken away while the system runs: the payment user may no longer publish its events.
    /// The refused commit is logged once with Redis's reason, the event dead-lettered, nothing crashes.
    @Test func aRefusedOperationIsLoggedAndDeadLettered() async throws {
        try await LockedDownBroker.with { broker in
            try await Self.withSystem(broker, transport: "pubsub") { process, http in
                let root = broker.client("test-root")
                _ = try await root.send("ACL", "SETUSER", "switchboard-payment", "resetchannels")
                let reply = try await http.post("/orders", json: Self.confirmed)
                #expect(reply.status == 202, "\(reply)")
                let id = try #require(reply.json?["orderId"] as? String)
                // `switchboard dlq list` runs as the admin user.
                let letters = await eventually {
                    let list = try await broker.switchboard(["dlq", "list"])
                    return list.exitCode == 0 && list.standardOutput.contains(id) && list.standardOutput.contains("payment")
                }
                #expect(letters, "\(process.text(of: .standardError))")
                let refusals = process.lines(of: .standardError).filter {
                    $0.contains("message dead-lettered") && $0.contains("can't publish")
                }
                #expect(refusals.count == 1, "\(process.text(of: .standardError))")
                #expect(process.isRunning)
                let health = try await http.get("/health")
                #expect(health.status == 200, "\(health)")
            }
        }
    }

    /// How many services consume `order.created`, from the production wiring (their `subscriptions`, as the
    /// ACLs take them): the groups on its stream, or its subscribers, once the system is ready.
    static let orderCreatedConsumers = AccessPolicy.services.filter { $0.consumes.contains("order.created") }.count

    /// Starts `switchboard run` against `broker`, waits until every service listens, runs `body`, then
    /// stops it with SIGTERM, expecting a clean exit.
    static func withSystem(
        _ broker: LockedDownBroker, transport: String, _ body: (ChildProcess, HTTPClient) async throws -> Void
    ) async throws {
        let port = FreePort.next()
        let process = try ChildProcess(Executable.switchboard, [
            "run", "--config", broker.configPath, "--transport", transport, "--http-port", String(port),
        ], environment: LockedDownBroker.environment)
        defer { process.kill() }
        let http = HTTPClient(port: port, scratch: broker.directory)
        let root = broker.client("test-root")
        let ready = await eventually(within: .seconds(30), every: .milliseconds(50)) {
            guard try await http.get("/health", timeout: 2).status == 200 else { return false }
            if transport == "streams" {
                let groups = try await root.send("XINFO", "GROUPS", "order.created").array?.count
                return groups == Self.orderCreatedConsumers
            }
            let subscribers = try await root.send("PUBSUB", "NUMSUB", "order.created").array?.last?.int
            return subscribers == Self.orderCreatedConsumers
        }
        try #require(ready, "switchboard did not get ready: \(process.text(of: .standardError))")
        try await body(process, http)
        process.send(signal: SIGTERM)
        let termination = await process.waitForExit(timeout: .seconds(15))
        #expect(termination == .exited(0), "\(process.text(of: .standardError))")
    }
}
