import Foundation
import OrderService
import PaymentService
import SagaEvents
import TestSupport
import Testing

/// What the streams transport promises when processes die, Redis restarts or an event cannot be handled:
/// every order reaches a final state, none is lost, none is charged twice, stock stays consistent, and a
/// poison event is dead-lettered after a bounded number of deliveries. Each service runs as its own
/// `switchboard run SERVICE --transport streams --instance NAME` process on a private redis-server.
@Suite("Streams durability end to end", .serialized)
struct StreamsDurabilityTests {
    @Test("kill -9 of payment with 1,000 orders in flight, restarted as a new instance: none lost or charged twice")
    func killedPaymentLosesNothing() async throws {
        // Slow charges keep payment the bottleneck, so the kill finds many orders in flight.
        try await StreamsCluster.with(StreamsCluster.Options(paymentLatencyMilliseconds: 250)) { cluster in
            try await cluster.startSaga()
            let inspector = cluster.inspector
            let orders = TestOrder.batch("kill", count: 1000, declineEvery: 10)
            #expect(try await cluster.add(orders) == 1000)

            let charging = await eventually(within: .seconds(30), every: .milliseconds(10)) {
                try await inspector.length(of: "payment.completed") >= 50
            }
            try #require(charging, "payment never charged: \(cluster.logs(of: "payment-1").suffix(5))")
            cluster.kill("payment-1")
            let settled = try await inspector.length(of: "payment.completed")
                + inspector.length(of: "payment.failed")
            let stranded = try await inspector.pending(in: "stock.reserved", group: "payment", consumer: "payment-1")
            #expect(settled < orders.count / 2, "the kill came too late: \(settled) payments already settled")
            #expect(stranded > 0, "the killed instance held no unacknowledged entries")

            try await Task.sleep(for: .milliseconds(300))
            try await cluster.start("payment", instance: "payment-2")
            let tally = try await cluster.settle(orders)
            print("kill -9 payment: \(tally); \(settled) payments settled and \(stranded) entries stranded at the kill")
            #expect(tally.final == orders.count)
            #expect(tally.confirmed == 900)
            try await expectConsistent(tally, of: orders, in: cluster)
            #expect(try await inspector.pending(in: "stock.reserved", group: "payment", consumer: "payment-1") == 0)
            #expect(cluster.logs(of: "payment-2").contains { $0["msg"] == "claimed abandoned entries" },
                    "payment-2 never claimed payment-1's entries")
        }
    }

    @Test("two stock instances share the load; when one is killed mid-load the survivor claims its entries")
    func survivorClaimsKilledInstancesEntries() async throws {
        try await StreamsCluster.with { cluster in
            try await cluster.startSaga(["order", "payment", "notification"])
            try await cluster.start("stock", instance: "stock-1", logLevel: "info")
            try await cluster.start("stock", instance: "stock-2", logLevel: "info")
            let inspector = cluster.inspector

            let shared = TestOrder.batch("shared", count: 200)
            #expect(try await cluster.add(shared) == shared.count)
            #expect(try await cluster.settle(shared).final == shared.count)
            let applied = ["stock-1", "stock-2"].map { appliedEvents(of: "order.created", in: cluster.logs(of: $0)) }
            print("two stock instances: order.created applied by stock-1 \(applied[0].count), "
                + "by stock-2 \(applied[1].count)")
            #expect(!applied[0].isEmpty && !applied[1].isEmpty, "one instance took no entries")
            #expect(applied[0].isDisjoint(with: applied[1]), "an entry was applied by both instances")
            #expect(applied[0].count + applied[1].count == shared.count)
            let consumers = try await inspector.consumers(of: "order.created", group: "stock").compactMap { $0["name"] }
            #expect(Set(consumers) == ["stock-1", "stock-2"])

            // Mid-load, stock-1 is caught holding read but unacknowledged entries, frozen, and killed.
            var load: [TestOrder] = []
            var stranded = 0
            for wave in 1...5 where stranded == 0 {
                let orders = TestOrder.batch("load\(wave)", count: 200)
                load += orders
                async let added = cluster.add(orders)
                stranded = try await killWhileHolding("stock-1", in: cluster)
                #expect(try await added == orders.count)
            }
            try #require(stranded > 0, "stock-1 was never caught holding entries")

            let tally = try await cluster.settle(shared + load)
            print("two stock instances, one killed: \(tally); \(stranded) entries stranded at the kill")
            try await expectConsistent(tally, of: shared + load, in: cluster)
            #expect(try await inspector.pending(in: "order.created", group: "stock") == 0)
            #expect(try await inspector.pending(in: "order.created", group: "stock", consumer: "stock-1") == 0)
            #expect(cluster.logs(of: "stock-2").contains { line in
                line["msg"] == "claimed abandoned entries" && line["consumer"] == "stock-2"
            }, "stock-2 never claimed stock-1's entries")
        }
    }

    @Test("redis-server (AOF) restarted mid-load, loading slowly: services wait for it, nothing is lost or doubled")
    func redisRestartLosesNothing() async throws {
        // Loading the append-only file takes a while (50 µs a command): services meet `LOADING` replies.
        // The simulated provider keeps its ledger in this Redis, so the restart is an outage of the provider
        // too: its timeout outlasts the restart, or charges would rightly fail as `provider_unavailable`.
        let options = StreamsCluster.Options(appendOnly: true, paymentLatencyMilliseconds: 150,
                                             paymentTimeoutMilliseconds: 30_000, keyLoadDelayMicroseconds: 50)
        try await StreamsCluster.with(options) { cluster in
            try await cluster.startSaga()
            let inspector = cluster.inspector
            let before = TestOrder.batch("before", count: 300)
            #expect(try await cluster.add(before) == before.count)
            let charging = await eventually(within: .seconds(30), every: .milliseconds(10)) {
                try await inspector.length(of: "payment.completed") >= 30
            }
            try #require(charging)
            let confirmedAtRestart = try await inspector.length(of: "order.confirmed")
            #expect(confirmedAtRestart < before.count, "the restart came after the load")

            // SIGTERM: redis-server writes its append-only file to the end before it exits.
            try await cluster.redis.restart()
            let kept = try await inspector.length(of: "order.created")
            #expect(kept == before.count, "order.created entries lost in the restart")
            let after = TestOrder.batch("after", count: 200)
            #expect(try await cluster.add(after) == after.count)

            let tally = try await cluster.settle(before + after)
            print("redis-server restarted (AOF): \(tally); \(confirmedAtRestart) confirmed at the restart, "
                + "\(kept) of \(before.count) order.created entries kept")
            try await expectConsistent(tally, of: before + after, in: cluster)
            for name in ["order-1", "stock-1", "payment-1", "notification-1"] {
                #expect(cluster.isRunning(name), "\(name) exited when redis-server restarted")
            }
        }
    }

    @Test("kill -9 of payment between the provider's charges and their commits: resumed with their keys, charged once")
    func killedBetweenChargeAndCommitChargesOnce() async throws {
        try await StreamsCluster.with { cluster in
            // Answers held back for a minute: when payment dies, every charge is made and none committed.
            try await cluster.redis.cli("HSET", "payment:simulator", "answerDelayMilliseconds", "60000")
            try await cluster.startSaga()
            let orders = TestOrder.batch("window", count: 20, declineEvery: 5)
            #expect(try await cluster.add(orders) == orders.count)
            try await waitForAnswers(to: orders, in: cluster)
            let intents = try await cluster.redis.field("status", ofEach: orders.map { PaymentKeys.payment($0.id) })
            #expect(intents.allSatisfy { $0 == "charging" }, "\(intents)")
            #expect(try await ProviderLedger.read(from: cluster.redis).charges.count == 16)
            #expect(try await cluster.inspector.length(of: "payment.completed") == 0)

            cluster.kill("payment-1")
            try await cluster.redis.cli("DEL", "payment:simulator")
            try await cluster.start("payment", instance: "payment-2")
            let tally = try await cluster.settle(orders)
            print("kill -9 of payment between charge and commit: \(tally)")
            #expect(tally.confirmed == 16)
            try await expectConsistent(tally, of: orders, in: cluster)
            try await expectPaymentIDsFromTheLedger(of: orders, in: cluster)
            let resumed = cluster.logs(of: "payment-2").filter { $0["msg"] == "resuming an intent found on the record" }
            #expect(resumed.count == orders.count, "payment-2 resumed \(resumed.count) intents")
        }
    }

    @Test("redis-server down while the provider's answers come back: the commits wait for it, each order charged once")
    func redisDownDuringTheCommitChargesOnce() async throws {
        try await StreamsCluster.with(StreamsCluster.Options(appendOnly: true)) { cluster in
            try await cluster.redis.cli("HSET", "payment:simulator", "answerDelayMilliseconds", "1500")
            try await cluster.startSaga()
            let orders = TestOrder.batch("outage", count: 20, declineEvery: 5)
            #expect(try await cluster.add(orders) == orders.count)
            try await waitForAnswers(to: orders, in: cluster)
            // The answers arrive while the server is down: every result commit fails and is retried.
            cluster.redis.stop()
            // Down until payment has met the outage (a commit failed and is being retried), not for a fixed time.
            let retrying = await eventually(within: .seconds(20)) {
                cluster.logs(of: "payment-1").contains { $0["msg"] == "broker unavailable, retrying" }
            }
            try await cluster.redis.restart()
            #expect(retrying, "payment never met the outage")

            let tally = try await cluster.settle(orders)
            print("redis-server down during the commits: \(tally)")
            #expect(tally.confirmed == 16)
            try await expectConsistent(tally, of: orders, in: cluster)
            try await expectPaymentIDsFromTheLedger(of: orders, in: cluster)
            #expect(cluster.isRunning("payment-1"))
        }
    }

    @Test("a poison event is handled 3 times, dead-lettered and acknowledged, then replayed by id to the end")
    func poisonEventIsDeadLetteredAndReplayed() async throws {
        try await StreamsCluster.with(StreamsCluster.Options(maximumDeliveries: 3)) { cluster in
            // Stock starts only after the replay, so the order service's handling of order.created is the
            // only one poisoned, and replaying that one dead letter finishes the order.
            try await cluster.startSaga(["order", "payment", "notification"])
            let inspector = cluster.inspector
            // A string where the order service keeps a hash: every commit on the record fails with WRONGTYPE.
            try await cluster.redis.cli("SET", OrderKeys.order("o-poison"), "x")
            // Its card is in the vault, as the ingress leaves it: a letter holding a card number could not be
            // replayed, as it is stored masked.
            let poison = TestOrder(id: "o-poison", vaultToken: "tok_poison")
            let vaultKey = CardVault.key(for: "tok_poison", orderID: "o-poison")
            try await cluster.redis.cli("SET", vaultKey, poison.card, "EX", "900")
            #expect(try await cluster.add([poison]) == 1)

            var letters: [[String: String]] = []
            let deadLettered = await eventually(within: .seconds(20), every: .milliseconds(100)) {
                letters = try await inspector.deadLetters()
                return !letters.isEmpty
            }
            try #require(deadLettered, "never dead-lettered: \(cluster.logs(of: "order-1").suffix(5))")
            #expect(letters.count == 1, "\(letters)")
            let letter = try #require(letters.first)
            #expect(letter["service"] == "order")
            #expect(letter["channel"] == "order.created")
            #expect(letter["payload"] == poison.payload)
            #expect(letter["reason"]?.contains("limit 3") == true, "reason: \(letter["reason"] ?? "none")")
            #expect(try await inspector.pending(in: "order.created", group: "order") == 0)
            let attempts = handlingAttempts(of: "order.created", in: cluster.logs(of: "order-1"))
            #expect(attempts == ["1", "2", "3"], "the handler ran on deliveries \(attempts)")
            // Acknowledged: no further delivery comes after more than a claim period.
            try await Task.sleep(for: .milliseconds(1500))
            #expect(handlingAttempts(of: "order.created", in: cluster.logs(of: "order-1")) == attempts)
            #expect(try await inspector.deadLetters().count == 1)

            try await cluster.redis.cli("DEL", OrderKeys.order("o-poison"))
            let id = try #require(letter["id"])
            let replay = try await cluster.switchboard(["dlq", "replay", id])
            #expect(replay.exitCode == 0, "\(replay)")
            #expect(replay.standardOutput.contains("replayed \(id) on order.created"), "\(replay)")
            #expect(try await inspector.deadLetters().isEmpty, "the replayed dead letter is still stored")
            #expect(try await inspector.orderIDs(in: "order.created") == ["o-poison", "o-poison"])

            try await cluster.start("stock", instance: "stock-1")
            let tally = try await cluster.settle([poison], within: .seconds(20))
            print("poison event: \(tally)")
            #expect(tally.confirmed == 1)
            try await expectConsistent(tally, of: [poison], in: cluster)
            #expect(try await cluster.redis.cli("EXISTS", vaultKey) == "0",
                    "the settled charge left its vault entry")
        }
    }

    /// Waits until the provider has answered every order (an answer key per order: a charge or a decline).
    private func waitForAnswers(to orders: [TestOrder], in cluster: StreamsCluster) async throws {
        var answered = 0
        let all = await eventually(within: .seconds(30), every: .milliseconds(50)) {
            answered = try await cluster.redis.field("verdict", ofEach: orders.map { "provider:{provider}:answer:\($0.id)" })
                .filter { !$0.isEmpty }.count
            return answered == orders.count
        }
        let logs = cluster.logs(of: "payment-1").suffix(5)
        try #require(all, "the provider answered \(answered) of \(orders.count): \(logs)")
    }

    /// Each confirmed order's payment record names the payment id of its one charge in the provider's ledger:
    /// the answer the commit recorded is the provider's first one.
    private func expectPaymentIDsFromTheLedger(of orders: [TestOrder], in cluster: StreamsCluster) async throws {
        let ledger = try await ProviderLedger.read(from: cluster.redis)
        let charged = Dictionary(ledger.charges.map { ($0.key, $0.paymentID) }) { first, _ in first }
        let confirmed = orders.filter { $0.expectedStatus == "confirmed" }.map(\.id)
        let recorded = try await cluster.redis.field("paymentId", ofEach: confirmed.map { PaymentKeys.payment($0) })
        let mismatched = zip(confirmed, recorded).filter { charged[$0.0] != $0.1 }.map(\.0)
        #expect(mismatched.isEmpty, "payment ids not the ledger's: \(mismatched.prefix(10))")
    }

    /// Polls `name`'s pending entries while a load runs; once it holds some, freezes it (`SIGSTOP`), and if it
    /// still holds them then (nothing in flight can acknowledge them), kills it (`SIGKILL`).
    /// - Returns: the entries it held when killed; 0 when it was never caught holding any within 3 s.
    private func killWhileHolding(_ name: String, in cluster: StreamsCluster) async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(3)
        while ContinuousClock.now < deadline {
            if try await cluster.inspector.pending(in: "order.created", group: "stock", consumer: name) > 0 {
                cluster.freeze(name)
                try await Task.sleep(for: .milliseconds(100))
                let held = try await cluster.inspector.pending(in: "order.created", group: "stock", consumer: name)
                if held > 0 {
                    cluster.kill(name)
                    return held
                }
                cluster.thaw(name)
            }
        }
        return 0
    }

    /// The ids of the events of `type` whose commit applied, from an instance's JSON log lines (`info`).
    private func appliedEvents(of type: String, in logs: [[String: String]]) -> Set<String> {
        Set(logs.filter { line in
            line["msg"] == "event handled" && line["event.type"] == type && line["outcome"] == "applied"
        }.compactMap { $0["event.id"] })
    }

    /// The delivery counts of the attempts to handle `type` that the broker refused, from JSON log lines.
    private func handlingAttempts(of type: String, in logs: [[String: String]]) -> [String] {
        logs.filter { $0["event.type"] == type && $0["msg"]?.hasPrefix("broker refused") == true }
            .compactMap { $0["delivery"] }
    }

    /// Checks what must hold once a batch of orders settled: every order final as its card says, exactly one
    /// of each saga event per order, the provider's ledger holds one charge of its amount per confirmed order
    /// and none for a cancelled one, BOOK-1's units add up with nothing left reserved, every group drained,
    /// and no dead letter. `orders` must be every order sent.
    private func expectConsistent(
        _ tally: SagaTally, of orders: [TestOrder], in cluster: StreamsCluster,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        #expect(tally.lost.isEmpty, "never final: \(tally.lost.prefix(10))", sourceLocation: sourceLocation)
        #expect(tally.wrongOutcome.isEmpty, "wrong outcome: \(tally.wrongOutcome.prefix(10))",
                sourceLocation: sourceLocation)
        #expect(tally.duplicated.isEmpty, "settled twice: \(tally.duplicated.prefix(10))",
                sourceLocation: sourceLocation)
        #expect(tally.chargeMismatches.isEmpty, "charges: \(tally.chargeMismatches.prefix(10))",
                sourceLocation: sourceLocation)
        let inspector = cluster.inspector
        let money = try await inspector.moneyViolations(of: orders.map(\.id))
        #expect(money.isEmpty, "money: \(money.prefix(10))", sourceLocation: sourceLocation)
        let reserved = try await inspector.countsByOrder(in: "stock.reserved")
        let confirmed = try await inspector.countsByOrder(in: "order.confirmed")
        let cancelled = try await inspector.countsByOrder(in: "order.cancelled")
        let unreserved = orders.filter { reserved[$0.id] != 1 }.map(\.id)
        #expect(unreserved.isEmpty, "not reserved exactly once: \(unreserved.prefix(10))",
                sourceLocation: sourceLocation)
        let unsettled = orders.filter { confirmed[$0.id, default: 0] + cancelled[$0.id, default: 0] != 1 }.map(\.id)
        #expect(unsettled.isEmpty, "not confirmed or cancelled exactly once: \(unsettled.prefix(10))",
                sourceLocation: sourceLocation)

        let expected = SagaInspector.Stock(available: 1_000_000 - tally.confirmedUnits, reserved: 0)
        var stock = SagaInspector.Stock(available: -1, reserved: -1)
        let stockSettled = await eventually(within: .seconds(30), every: .milliseconds(200)) {
            stock = try await inspector.stock("BOOK-1")
            return stock == expected
        }
        #expect(stockSettled, "BOOK-1: \(stock), expected \(expected)", sourceLocation: sourceLocation)
        var pending: [String: Int] = [:]
        let drained = await eventually(within: .seconds(30), every: .milliseconds(200)) {
            pending = try await inspector.allPending()
            return pending.isEmpty
        }
        #expect(drained, "entries still pending: \(pending)", sourceLocation: sourceLocation)
        let letters = try await inspector.deadLetters()
        #expect(letters.isEmpty, "dead letters: \(letters.prefix(3))", sourceLocation: sourceLocation)
    }
}
