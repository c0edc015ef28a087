import Foundation
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
        #expect(try await cluster.redis.cli("HGET", "order:o-ok", "seen")
            == "order.created\nstock.reserved\npayment.completed\norder.confirmed")
        #expect(await cluster.waitForEvent(on: "notification.sent", for: "o-ok"))
        #expect(try await cluster.events(on: "payment.completed", for: "o-ok").count == 1)
        let stock = try await cluster.stock("BOOK-1")
        #expect(stock.available == 1_000_000 - 3)
        #expect(stock.reserved == 0)
        let messages = try await cluster.redis.cli("LRANGE", "notification:customer:c-1", "0", "-1")
        #expect(messages.contains("o-ok is confirmed: 37.50 USD charged"))
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
        let rejected = try await cluster.events(on: "stock.rejected", for: "o-what").first?["data"] as? [String: Any]
        #expect(rejected?["sku"] as? String == "NOPE-1")
        #expect(await cluster.waitForEvent(on: "notification.sent", for: "o-what"))
        for id in ["o-pen", "o-what"] {
            #expect(try await cluster.events(on: "payment.completed", for: id).isEmpty)
            #expect(try await cluster.events(on: "payment.failed", for: id).isEmpty)
            #expect(try await cluster.redis.cli("EXISTS", "payment:\(id)") == "1")  // voided, never charged
        }
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
        try await Task.sleep(for: .milliseconds(300))  // room for a wrong second charge to show up
        #expect(try await cluster.events(on: "order.created", for: "o-twice").count == 2)
        #expect(try await cluster.events(on: "stock.reserved", for: "o-twice").count == 1)
        #expect(try await cluster.events(on: "payment.completed", for: "o-twice").count == 1)
        #expect(try await cluster.events(on: "order.confirmed", for: "o-twice").count == 1)
        #expect(try await cluster.stock("BOOK-1").available == 1_000_000 - 2)
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
        await cluster.stop()
    }

    @Test("a malformed event is dead-lettered and the next good order still confirms", arguments: transports)
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
        await cluster.stop()
    }
}
