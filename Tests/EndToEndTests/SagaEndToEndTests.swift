import Foundation
import NotificationService
import OrderService
import PaymentService
import TestSupport
import Testing

/// The order saga end to end, on both transports: each service in its own `switchboard` process on a
/// real redis-server, driven by the real `redis-cli PUBLISH order.created …` (or `XADD` on streams).
@Suite("Saga end to end", .serialized)
struct SagaEndToEndTests {
    static let transports = ["pubsub", "streams"]

    @Test("a good card confirms with the right amount", arguments: transports)
    func goodCardConfirms(transport: String) async throws {
        let cluster = try await SagaCluster.start(transport: transport)
        try await cluster.publish("order.created", SagaCluster.order("o-ok", sku: "BOOK-1", quantity: 3))

        let order = try await cluster.finalOrder("o-ok")
        #expect(order["status"] as? String == "confirmed")
        #expect(order["amount"] as? Int == 3 * 1250)
        #expect(order["currency"] as? String == "USD")
        #expect(try await cluster.redis.cli("HGET", OrderKeys.order("o-ok"), "seen")
            == "order.created\nstock.reserved\npayment.completed\norder.confirmed")
        #expect(await cluster.waitForEvent(on: "notification.sent", for: "o-ok"))
        #expect(try await cluster.events(on: "payment.completed", for: "o-ok").count == 1)
        let stock = try await cluster.stock("BOOK-1")
        #expect(stock.available == 1_000_000 - 3)
        #expect(stock.reserved == 0)
        let messages = try await cluster.redis.cli("LRANGE", NotificationKeys.customer("c-1"), "0", "-1")
        #expect(messages.contains("o-ok is confirmed: 37.50 USD charged"))
        #expect(try await cluster.moneyViolations(of: ["o-ok"]).isEmpty)
        #expect(try await ProviderLedger.read(from: cluster.redis).charges.map(\.amount) == [3750])
        await cluster.stop()
    }

    @Test("a declining card cancels the order and restores the stock", arguments: transports, [
        ("4000000000000002", "card_declined"), ("4000000000009995", "insufficient_funds"),
    ])
    func decliningCardCancels(transport: String, card: (number: String, reason: String)) async throws {
        let cluster = try await SagaCluster.start(transport: transport)
        try await cluster.publish("order.created", SagaCluster.order("o-no", sku: "MUG-1", quantity: 2,
                                                                      card: card.number))

        let order = try await cluster.finalOrder("o-no")
        #expect(order["status"] as? String == "cancelled")
        #expect(order["reason"] as? String == card.reason)
        #expect(await cluster.waitForEvent(on: "stock.released", for: "o-no"))
        let stock = try await cluster.stock("MUG-1")
        #expect(stock.available == 50)
        #expect(stock.reserved == 0)
        #expect(try await cluster.events(on: "payment.completed", for: "o-no").isEmpty)
        #expect(try await ProviderLedger.read(from: cluster.redis).charges.isEmpty)
        await cluster.stop()
    }

    @Test("out-of-stock and unknown SKUs cancel without charging", arguments: transports)
    func unavailableItemsCancelWithoutCharge(transport: String) async throws {
        let cluster = try await SagaCluster.start(transport: transport)
        try await cluster.publish("order.created", SagaCluster.order("o-pen", sku: "PEN-1"))
        try await cluster.publish("order.created", SagaCluster.order("o-what", sku: "NOPE-1"))

        let pen = try await cluster.finalOrder("o-pen")
        let unknown = try await cluster.finalOrder("o-what")
        #expect(pen["status"] as? String == "cancelled")
        #expect(pen["reason"] as? String == "out_of_stock")
        #expect(unknown["status"] as? String == "cancelled")
        #expect(unknown["reason"] as? String == "unknown_sku")
        #expect(await cluster.waitForEvent(on: "stock.rejected", for: "o-what"))
        let rejected = try await cluster.events(on: "stock.rejected", for: "o-what").first?["data"] as? [String: Any]
        #expect(rejected?["sku"] as? String == "NOPE-1")
        #expect(await cluster.waitForEvent(on: "notification.sent", for: "o-what"))
        for id in ["o-pen", "o-what"] {
            #expect(try await cluster.events(on: "payment.completed", for: id).isEmpty)
            #expect(try await cluster.events(on: "payment.failed", for: id).isEmpty)
            #expect(try await cluster.redis.cli("HGET", PaymentKeys.payment(id), "status") == "voided")
        }
        #expect(try await ProviderLedger.read(from: cluster.redis).charges.isEmpty)
        await cluster.stop()
    }

    @Test("the same order.created published twice is processed once", arguments: transports)
    func duplicateOrderIsProcessedOnce(transport: String) async throws {
        let cluster = try await SagaCluster.start(transport: transport)
        let order = SagaCluster.order("o-twice", sku: "BOOK-1", quantity: 2)
        try await cluster.publish("order.created", order)
        try await cluster.publish("order.created", order)

        _ = try await cluster.finalOrder("o-twice")
        #expect(await cluster.waitForEvent(on: "notification.sent", for: "o-twice"))
        #expect(await cluster.waitForQuiescence(), "the saga never went quiet")
        #expect(try await cluster.events(on: "order.created", for: "o-twice").count == 2)
        #expect(try await cluster.events(on: "stock.reserved", for: "o-twice").count == 1)
        #expect(try await cluster.events(on: "payment.completed", for: "o-twice").count == 1)
        #expect(try await cluster.events(on: "order.confirmed", for: "o-twice").count == 1)
        #expect(try await cluster.stock("BOOK-1").available == 1_000_000 - 2)
        #expect(try await cluster.moneyViolations(of: ["o-twice"]).isEmpty)
        await cluster.stop()
    }

    @Test("a stock.reserved delivered again while its charge is in flight charges once", arguments: transports)
    func duplicatedStockReservedChargesOnce(transport: String) async throws {
        let cluster = try await SagaCluster.start(transport: transport,
                                                  simulator: ["answerDelayMilliseconds": "1000"])
        try await cluster.publish("order.created", SagaCluster.order("o-dup", sku: "BOOK-1"))
        #expect(await cluster.waitForEvent(on: "stock.reserved", for: "o-dup"))
        let reserved = try #require(try await cluster.events(on: "stock.reserved", for: "o-dup").first)
        let payload = String(decoding: try JSONSerialization.data(withJSONObject: reserved), as: UTF8.self)
        try await cluster.publish("stock.reserved", payload)

        let order = try await cluster.finalOrder("o-dup")
        #expect(order["status"] as? String == "confirmed")
        #expect(await cluster.waitForEvent(on: "notification.sent", for: "o-dup"))
        #expect(await cluster.waitForQuiescence(), "the saga never went quiet")
        #expect(try await cluster.events(on: "stock.reserved", for: "o-dup").count == 2)
        #expect(try await cluster.events(on: "payment.completed", for: "o-dup").count == 1)
        let money = try await cluster.moneyViolations(of: ["o-dup"])
        #expect(money.isEmpty, "\(money)")
        await cluster.stop()
    }

    @Test("kill -9 of payment between the charge and its commit, then stock.reserved again: charged once",
          arguments: transports)
    func killBetweenChargeAndCommitChargesOnce(transport: String) async throws {
        // On streams the new instance also claims the killed one's entry after a second, and finds it done.
        let cluster = try await SagaCluster.start(transport: transport,
                                                  environment: ["SWITCHBOARD_STREAMS_CLAIM_IDLE_MS": "1000"],
                                                  simulator: ["answerDelayMilliseconds": "60000"])
        try await cluster.publish("order.created", SagaCluster.order("o-kill", sku: "BOOK-1", quantity: 2))
        let charged = await eventually(within: .seconds(20)) {
            try await ProviderLedger.read(from: cluster.redis).charges.count == 1
        }
        try #require(charged, "the provider never charged")
        #expect(try await cluster.redis.cli("HGET", PaymentKeys.payment("o-kill"), "status") == "charging")
        #expect(try await cluster.redis.cli("HGET", PaymentKeys.payment("o-kill"), "idempotencyKey") == "o-kill")

        try await cluster.redis.cli("DEL", "payment:simulator")
        try await cluster.killAndRestart("payment")
        // The redelivery: an operator's replay on pub/sub, which does not redeliver; a new entry on streams.
        let reserved = try #require(try await cluster.events(on: "stock.reserved", for: "o-kill").first)
        try await cluster.publish("stock.reserved",
                                  String(decoding: try JSONSerialization.data(withJSONObject: reserved), as: UTF8.self))

        let order = try await cluster.finalOrder("o-kill")
        #expect(order["status"] as? String == "confirmed")
        #expect(await cluster.waitForQuiescence(), "the saga never went quiet")
        let ledger = try await ProviderLedger.read(from: cluster.redis)
        #expect(ledger.charges.map(\.amount) == [2500])
        #expect(try await cluster.redis.cli("HGET", PaymentKeys.payment("o-kill"), "paymentId")
                == ledger.charges.first?.paymentID)
        #expect(try await cluster.events(on: "payment.completed", for: "o-kill").count == 1)
        let money = try await cluster.moneyViolations(of: ["o-kill"])
        #expect(money.isEmpty, "\(money)")
        await cluster.stop()
    }

    @Test("pub/sub: redis-server down as the provider's answers come back: payment retries its commits, charged once")
    func redisDownDuringTheCommitsOnPubSub() async throws {
        // Append-only, so the intents committed before the outage are there after it. Answers take 4 s to come
        // back (time for the stop on a loaded machine), well within the provider timeout (15 s): the outage
        // meets them, not a timeout.
        let cluster = try await SagaCluster.start(transport: "pubsub", appendOnly: true,
                                                  settings: #""payment": {"timeoutMilliseconds": 15000}"#,
                                                  simulator: ["answerDelayMilliseconds": "4000"])
        let ids = (1...5).map { "o-outage-\($0)" }
        try await cluster.publishAll(ids.map { id in
            (channel: "order.created", payload: SagaCluster.order(id, sku: "BOOK-1"))
        })
        // Charged and answered by the provider (its verdicts recorded), the answers still on their way back:
        // every order is between its charge and its commit.
        let answered = await eventually(within: .seconds(20)) {
            try await cluster.redis.field("verdict", ofEach: ids.map { "provider:{provider}:answer:\($0)" })
                .allSatisfy { !$0.isEmpty }
        }
        try #require(answered, "the provider did not answer every order: \(cluster.log(of: "payment"))")
        let chargingAtStop = try await cluster.redis.field("status", ofEach: ids.map { PaymentKeys.payment($0) })
        cluster.redis.stop()
        let retried = await eventually(within: .seconds(20)) {
            cluster.log(of: "payment").contains("broker unavailable, retrying")
        }
        try await cluster.redis.restart()
        #expect(chargingAtStop.allSatisfy { $0 == "charging" }, "not all in flight at the stop: \(chargingAtStop)")
        #expect(retried, "payment never met the outage: \(cluster.log(of: "payment"))")

        // Each in-flight order's payment is committed with the ledger's payment id: its one charge.
        var statuses: [String] = []
        let committed = await eventually(within: .seconds(30), every: .milliseconds(100)) {
            statuses = try await cluster.redis.field("status", ofEach: ids.map { PaymentKeys.payment($0) })
            return statuses.allSatisfy { $0 == "completed" }
        }
        #expect(committed, "payments after the outage: \(statuses)")
        let ledger = try await ProviderLedger.read(from: cluster.redis)
        #expect(ledger.charges.map(\.key).sorted() == ids.sorted(), "\(ledger.charges)")
        #expect(ledger.refunds.isEmpty)
        let paymentIDs = try await cluster.redis.field("paymentId", ofEach: ids.map { PaymentKeys.payment($0) })
        let charges = Dictionary(uniqueKeysWithValues: ledger.charges.map { ($0.key, $0.paymentID) })
        #expect(paymentIDs == ids.map { charges[$0] ?? "none" })
        await cluster.stop()
    }

    @Test("200 concurrent orders for 50 mugs confirm exactly 50", arguments: transports)
    func concurrentOrdersNeverOversell(transport: String) async throws {
        let cluster = try await SagaCluster.start(transport: transport)
        let ids = (1...200).map { "o-rush-\($0)" }
        try await cluster.publishAll(ids.map { ("order.created", SagaCluster.order($0, sku: "MUG-1")) })

        var statuses: [String: Int] = [:]
        var reasons: [String: Int] = [:]
        for id in ids {
            let order = try await cluster.finalOrder(id, within: .seconds(60))
            statuses[order["status"] as? String ?? "?", default: 0] += 1
            if let reason = order["reason"] as? String { reasons[reason, default: 0] += 1 }
        }
        #expect(statuses == ["confirmed": 50, "cancelled": 150])
        #expect(reasons == ["out_of_stock": 150])
        let stock = try await cluster.stock("MUG-1")
        #expect(stock.available == 0)
        #expect(stock.reserved == 0)
        let money = try await cluster.moneyViolations(of: ids)
        #expect(money.isEmpty, "\(money.prefix(10))")
        #expect(try await ProviderLedger.read(from: cluster.redis).charges.count == 50)
        await cluster.stop()
    }

    @Test("a malformed event is dead-lettered, the next order confirms; dlq list shows, dlq replay one by id, then all",
          arguments: transports)
    func malformedEventIsDeadLettered(transport: String) async throws {
        let cluster = try await SagaCluster.start(transport: transport)
        try await cluster.publish("order.created", #"{"orderId":"o-bad","items":"lots"}"#)
        try await cluster.publish("order.created", "this is not json")
        try await cluster.publish("order.created", SagaCluster.order("o-next", sku: "BOOK-1"))

        let next = try await cluster.finalOrder("o-next")
        #expect(next["status"] as? String == "confirmed")
        var letters: [[String: String]] = []
        let recorded = await eventually {
            letters = try await cluster.deadLetters()
            return letters.count == 6  // two bad messages, each dead-lettered by order, stock and payment
        }
        #expect(recorded, "dead letters: \(letters)")
        #expect(Set(letters.compactMap { $0["service"] }) == ["order", "stock", "payment"])
        #expect(letters.allSatisfy { $0["channel"] == "order.created" })
        #expect(letters.contains { $0["payload"] == "this is not json" && $0["reason"]?.contains("not valid JSON") == true })
        #expect(letters.contains { $0["reason"]?.contains("data.") == true })

        let ids = letters.compactMap { $0["id"] }
        let list = try await cluster.switchboard(["dlq", "list"])
        #expect(list.exitCode == 0, "\(list)")
        #expect(ids.allSatisfy { list.standardOutput.contains($0) }, "\(list.standardOutput)")
        #expect(list.standardOutput.components(separatedBy: "service=").count - 1 == 6)
        #expect(list.standardOutput.contains("this is not json"))

        // One letter by id: it alone goes back on its channel and leaves the store; the three services
        // dead-letter it again, so 5 old letters and 3 new.
        let one = try #require(ids.first)
        let single = try await cluster.switchboard(["dlq", "replay", one])
        #expect(single.exitCode == 0, "\(single)")
        #expect(single.standardOutput.contains("replayed \(one) on order.created"), "\(single.standardOutput)")
        #expect(single.standardOutput.components(separatedBy: "replayed ").count - 1 == 1, "\(single.standardOutput)")
        var afterOne: [[String: String]] = []
        let redeliveredOne = await eventually {
            afterOne = try await cluster.deadLetters()
            return afterOne.count == 8
        }
        #expect(redeliveredOne, "dead letters after replaying one: \(afterOne.count)")
        let idsAfterOne = Set(afterOne.compactMap { $0["id"] })
        #expect(!idsAfterOne.contains(one), "the replayed letter was not removed")
        #expect(Set(ids.dropFirst()).isSubset(of: idsAfterOne), "a letter not named was replayed or lost")

        // All of them: each bad message reaches the three services again: 8 replays, 24 dead letters, all new.
        let replay = try await cluster.switchboard(["dlq", "replay"])
        #expect(replay.exitCode == 0, "\(replay)")
        #expect(idsAfterOne.allSatisfy { replay.standardOutput.contains("replayed \($0) on order.created") },
                "\(replay.standardOutput)")
        var again: [[String: String]] = []
        let redelivered = await eventually {
            again = try await cluster.deadLetters()
            return again.count == 24
        }
        #expect(ids.count == 6)
        #expect(redelivered, "dead letters after the replay: \(again.count)")
        #expect(Set(again.compactMap { $0["id"] }).isDisjoint(with: idsAfterOne), "replayed letters were not removed")
        #expect(Set(again.compactMap { $0["service"] }) == ["order", "stock", "payment"])
        await cluster.stop()
    }
}
