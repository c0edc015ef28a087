import Foundation
import TestSupport
import Testing

/// What the streams transport promises when processes die and Redis restarts: every order reaches a
/// final state, none is lost or charged twice, and stock stays consistent.
@Suite("Streams durability", .serialized)
struct StreamsDurabilityTests {
    /// The outcome of a load test, checked and reported the same way by every test.
    private func expectConsistent(_ harness: DurabilityHarness, orders ids: [String], label: String) async throws {
        let statuses = try await harness.waitUntilFinal(ids)
        let confirmed = ids.filter { statuses[$0] == "confirmed" }
        let final = ids.filter { statuses[$0] == "confirmed" || statuses[$0] == "cancelled" }
        let charges = try await harness.charges()
        let duplicated = charges.values.filter { $0 > 1 }.count
        print("\(label): sent \(ids.count), final \(final.count), confirmed \(confirmed.count), "
            + "lost \(ids.count - final.count), charged twice \(duplicated)")
        #expect(final.count == ids.count, "\(ids.count - final.count) orders never reached a final state")
        #expect(duplicated == 0, "orders charged more than once")
        #expect(confirmed.allSatisfy { charges[$0] == 1 }, "a confirmed order without exactly one charge")
        let stockSettled = await eventually(within: .seconds(30)) {
            try await harness.stock("BOOK-1") == (1_000_000 - confirmed.count, 0)
        }
        let stock = try await harness.stock("BOOK-1")
        #expect(stockSettled, "BOOK-1 stock \(stock), expected \((1_000_000 - confirmed.count, 0))")
    }

    @Test("kill -9 of the payment service with 1,000 orders in flight, then a restart: nothing lost or doubled")
    func killedServiceLosesNothing() async throws {
        let harness = try await DurabilityHarness.make()
        // A slower provider (the runtime knob the payment service polls) keeps many orders in flight.
        _ = try await harness.redis.cli("HSET", "payment:simulator", "latencyMilliseconds", "40")
        try await harness.startSaga()
        let ids = (1...1000).map { "kill-\($0)" }
        try await harness.addOrders(ids)
        _ = await eventually(within: .seconds(10)) { try await harness.charges().count >= 50 }
        let chargedBeforeKill = try await harness.charges().count
        #expect(chargedBeforeKill < ids.count / 2, "the kill should come with most orders still in flight")
        harness.kill("payment-1")
        try await Task.sleep(for: .milliseconds(500))
        try harness.start("payment", instance: "payment-2")
        try await expectConsistent(harness, orders: ids, label: "kill -9 payment")
        #expect(try await harness.pending("stock.reserved", group: "payment") == 0)
        await harness.stop()
    }

    @Test("two stock instances share the load; when one is killed the survivor claims its pending entries")
    func survivorClaimsPendingEntries() async throws {
        let harness = try await DurabilityHarness.make()
        try await harness.startSaga()
        try harness.start("stock", instance: "stock-2")
        // A consumer shows in XINFO CONSUMERS only once it was served; its heartbeat says it runs.
        let ready = await eventually {
            try await harness.redis.cli("EXISTS", "switchboard:instance:stock:stock-2") == "1"
        }
        try #require(ready)
        let ids = (1...600).map { "pair-\($0)" }
        try await harness.addOrders(ids)
        _ = await eventually(within: .seconds(10)) { try await harness.charges().count >= 30 }
        harness.kill("stock-1")
        try await expectConsistent(harness, orders: ids, label: "two stock instances, one killed")
        let consumers = try await harness.redis.cli("XINFO", "CONSUMERS", "order.created", "stock")
        #expect(consumers.contains("stock-1") && consumers.contains("stock-2"), "both instances took entries")
        #expect(try await harness.pending("order.created", group: "stock") == 0)
        await harness.stop()
    }

    @Test("redis-server with AOF restarted mid-load: services reconnect and nothing acknowledged is lost")
    func redisRestartLosesNothing() async throws {
        let harness = try await DurabilityHarness.make(appendOnly: true)
        try await harness.startSaga()
        let before = (1...300).map { "aof-a-\($0)" }
        try await harness.addOrders(before)
        _ = await eventually(within: .seconds(10)) { try await harness.charges().count >= 20 }
        try await harness.redis.restart()
        let after = (1...200).map { "aof-b-\($0)" }
        try await harness.addOrders(after)
        try await expectConsistent(harness, orders: before + after, label: "redis-server restarted (AOF)")
        await harness.stop()
    }

    @Test("a poison event is delivered at most three times, dead-lettered, and replayed by dlq replay")
    func poisonEventIsDeadLetteredAndReplayed() async throws {
        let harness = try await DurabilityHarness.make()
        try await harness.startSaga()
        // The order service's record of o-poison is a hash, so every GET of it fails with WRONGTYPE.
        _ = try await harness.redis.cli("HSET", "order:o-poison", "broken", "yes")
        try await harness.addOrders(["o-poison"])
        var letters = ""
        let deadLettered = await eventually(within: .seconds(30)) {
            letters = try await harness.redis.cli("XRANGE", "switchboard:deadletters", "-", "+")
            return letters.contains("order") && letters.contains("delivered")
        }
        #expect(deadLettered, "dead letters: \(letters)")
        #expect(letters.contains("limit 3"))
        #expect(await eventually { try await harness.pending("order.created", group: "order") == 0 })
        // Every later event of o-poison failed at the order service the same way; once the record is
        // fixed, replaying all of them (order.created, stock.reserved, payment.completed) finishes it.
        _ = try await harness.redis.cli("DEL", "order:o-poison")
        let replay = try await ChildProcess.run(Executable.switchboard, [
            "dlq", "replay", "--transport", "streams", "--redis", harness.redis.urlString,
        ])
        #expect(replay.exitCode == 0, "\(replay)")
        #expect(replay.standardOutput.contains("replayed"))
        let statuses = try await harness.waitUntilFinal(["o-poison"], within: .seconds(20))
        #expect(statuses["o-poison"] == "confirmed")
        await harness.stop()
    }
}
