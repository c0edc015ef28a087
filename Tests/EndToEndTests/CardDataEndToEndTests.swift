import Foundation
import RedisClient
import SagaEvents
import TestSupport
import Testing

/// Card numbers are never at rest (issue 19): the saga runs over HTTP and `redis-cli` on each transport, with
/// malformed events and dead-letter replays, then every key of the private redis-server and every line the
/// processes wrote is searched for the card numbers used. None is found: the ingress keeps a card only in
/// its vault entry until the charge settles, and everything kept or shown is masked to the last four digits.
@Suite("Card numbers never at rest, end to end")
struct CardDataEndToEndTests {
    /// Cards sent over HTTP: confirmed, declined, cancelled before any charge (no stock), and with an
    /// `Idempotency-Key`.
    static let httpCards = ["4242424242424242", "4000000000000002", "5555555555554444", "4000056655665556",
                            "4111111111111111"]
    /// Cards published with `redis-cli`: a well-formed order, then malformed events (a missing member, a
    /// card as a JSON number, nested in a bad line, text that is not JSON).
    static let busCards = ["378282246310005", "6011111111111117", "3530111333300000", "5105105105105100",
                           "6011000990139424"]

    @Test("no card number is kept in Redis or written by a process", arguments: ["pubsub", "streams"])
    func noCardNumberAtRest(transport: String) async throws {
        let cluster = try await SagaCluster.start(transport: transport)
        do {
            try await run(in: cluster)
        } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stop()
    }

    private func run(in cluster: SagaCluster) async throws {
        let http = try await cluster.startIngress()
        let tail = try cluster.spawn(["tail"])
        defer { tail.kill() }
        try #require(await tail.waitForLine(on: .standardError) { $0.contains("tailing events") } != nil,
                     "tail did not start: \(tail.text(of: .standardError))")

        // Over HTTP: the card goes to the vault, the event carries a token and the last four digits.
        var orders: [(id: String, status: String)] = []
        let outcomes = [(Self.httpCards[0], "BOOK-1", "confirmed"), (Self.httpCards[1], "MUG-1", "cancelled"),
                        (Self.httpCards[2], "PEN-1", "cancelled")]
        for (card, sku, status) in outcomes {
            orders.append((try await place(card: card, sku: sku, over: http), status))
        }
        let keyed = try await place(card: Self.httpCards[3], sku: "BOOK-1", over: http, key: "k-card")
        #expect(try await place(card: Self.httpCards[3], sku: "BOOK-1", over: http, key: "k-card") == keyed,
                "the repeated Idempotency-Key made another order")
        orders.append((keyed, "confirmed"))

        // The card of an order that comes while payment is down waits in the vault, and only there; on
        // streams payment charges it once back and the entry goes, on pub/sub it stays until it expires.
        cluster.kill("payment")
        let waiting = try await place(card: Self.httpCards[4], sku: "BOOK-1", over: http)
        let trace = try #require(try await http.get("/orders/\(waiting)/trace").json?["events"] as? [[String: Any]])
        let payment = (trace.first?["data"] as? [String: Any])?["payment"] as? [String: Any]
        #expect(payment?["last4"] as? String == "1111" && payment?["card"] == nil, "\(trace)")
        let vaultKey = CardVault.key(for: try #require(payment?["token"] as? String), orderID: waiting)
        #expect(try await cluster.redis.cli("GET", vaultKey) == Self.httpCards[4])
        #expect((1...900).contains(Int(try await cluster.redis.cli("TTL", vaultKey)) ?? 0))
        try await cluster.restart("payment")
        let expiring = cluster.transport == "streams" ? [] : [vaultKey]
        if cluster.transport == "streams" { orders.append((waiting, "confirmed")) }

        // With redis-cli: a card number on the bus is charged as before; malformed events are dead-lettered.
        let cliOrder = "o-card-\(cluster.transport)"
        var published = [SagaCluster.order(cliOrder, sku: "BOOK-1", card: Self.busCards[0])]
        published += [
            #"{"orderId":"o-bad-1","customerId":"c-1","payment":{"card":"\#(Self.busCards[1])"}}"#,
            #"{"orderId":"o-bad-2","customerId":"c-1","items":[{"sku":"BOOK-1","quantity":1}],"#
                + #""payment":{"card":\#(Self.busCards[2])}}"#,
            #"{"orderId":"o-bad-3","customerId":"c-1","items":[{"sku":"BOOK 1","quantity":1,"#
                + #""note":{"pan":"\#(Self.busCards[3])"}}],"payment":{"card":"\#(Self.busCards[3])"}}"#,
            "charge card \(Self.busCards[4]) please",
            // No card, only a token: this letter can be replayed.
            #"{"orderId":"o-bad-4","customerId":"c-1","items":[],"payment":{"token":"tok_x","last4":"4242"}}"#,
        ]
        for payload in published { try await cluster.publish("order.created", payload) }
        orders.append((cliOrder, "confirmed"))

        for (id, status) in orders {
            let final = try await finalOrder(id, over: http)
            #expect(final["status"] as? String == status, "order \(id): \(final)")
        }
        let events = try await http.get("/orders/\(cliOrder)/events")
        #expect(events.status == 200 && events.body.contains("***********0005"), "\(events)")
        let traced = try await http.get("/orders/\(cliOrder)/trace")
        #expect(traced.body.contains(#""card":"***********0005""#), "the trace log keeps the card masked: \(traced)")

        // Dead letters: stored masked; one that held a card number is not replayed, one with a token is.
        var letters: [[String: String]] = []
        try #require(await eventually(within: .seconds(20)) {
            letters = try await cluster.deadLetters()
            return Set(letters.compactMap { $0["payload"] }).count == 5
        }, "dead letters: \(letters)")
        let masked = try #require(letters.first { $0["payload"]?.contains("o-bad-1") == true }?["id"])
        let refused = try await cluster.switchboard(["dlq", "replay", masked])
        #expect(refused.exitCode == 65 && refused.standardError.contains("masked"), "\(refused)")
        #expect(try await http.post("/deadletters/\(masked)/replay", json: "").status == 409)
        let replayed = try await cluster.switchboard(["dlq", "replay"])
        #expect(replayed.exitCode == 0 && !replayed.standardOutput.contains(masked), "\(replayed)")
        let list = try await cluster.switchboard(["dlq", "list"])
        #expect(list.exitCode == 0 && list.standardOutput.contains(masked), "\(list)")
        let deadLetters = try await http.get("/deadletters")
        let shown = try await cluster.switchboard(["trace", cliOrder])
        #expect(await cluster.waitForQuiescence(), "the saga did not settle")

        // Nothing kept has a card number but a vault entry not expired yet, and the vault holds no entry
        // of an order whose charge settled.
        let kept = try await keptText(in: cluster.redis)
        #expect(kept.keys.filter { $0.hasPrefix("vault:card:") } == expiring, "vault entries: \(kept.keys.sorted())")
        let typedOnTheWire = cluster.transport == "streams" ? Set(published) : []
        for (key, values) in kept where !expiring.contains(key) {
            for value in values where !typedOnTheWire.contains(value) || key != "order.created" {
                for card in Self.httpCards + Self.busCards {
                    #expect(!value.contains(card), "\(key) holds \(card): \(value)")
                }
            }
        }
        tail.send(signal: SIGTERM)
        _ = await tail.waitForExit(timeout: .seconds(10))
        #expect(tail.lines().contains { $0.contains("***********0005") }, "tail: \(tail.text())")
        let written = cluster.processOutput() + tail.lines() + tail.lines(of: .standardError)
            + [refused, replayed, list, shown].flatMap { [$0.standardOutput, $0.standardError] }
            + [events.body, traced.body, deadLetters.body]
        for line in written {
            for card in Self.httpCards + Self.busCards {
                #expect(!line.contains(card), "written: \(line)")
            }
        }
    }

    /// `POST /orders`; the order id.
    private func place(card: String, sku: String, over http: HTTPClient, key: String? = nil) async throws -> String {
        let body = #"{"customerId":"c-1","items":[{"sku":"\#(sku)","quantity":1}],"payment":{"card":"\#(card)"}}"#
        let reply = try await http.post("/orders", json: body, headers: key.map { ["Idempotency-Key": $0] } ?? [:])
        #expect(reply.status == 202, "\(reply)")
        return try #require(reply.json?["orderId"] as? String, "\(reply)")
    }

    /// Polls `GET /orders/{id}` until the order is confirmed or cancelled, and checks the body shows no card.
    private func finalOrder(_ id: String, over http: HTTPClient) async throws -> [String: Any] {
        var last: HTTPReply?
        let done = await eventually(within: .seconds(20), every: .milliseconds(50)) {
            last = try await http.get("/orders/\(id)")
            return ["confirmed", "cancelled"].contains(last?.json?["status"] as? String)
        }
        try #require(done, "order \(id) did not end: \(String(describing: last))")
        for card in Self.httpCards + Self.busCards {
            #expect(last?.body.contains(card) == false, "GET /orders/\(id) shows \(card)")
        }
        return try #require(last?.json)
    }

    /// Every key of the server and the text of every value it holds, whatever its type.
    private func keptText(in redis: RedisServer) async throws -> [String: [String]] {
        let client = RedisClient(url: redis.url, configuration: RedisConfiguration(), logger: .disabled)
        var kept: [String: [String]] = [:]
        var cursor = "0"
        repeat {
            let reply = try await client.send("SCAN", cursor, "COUNT", 1000)
            cursor = reply.array?.first?.string ?? "0"
            for key in reply.array?.last?.array?.compactMap(\.string) ?? [] {
                let read: RedisReply = switch try await client.send("TYPE", key).string {
                case "string": try await client.send("GET", key)
                case "hash": try await client.send("HGETALL", key)
                case "list": try await client.send("LRANGE", key, 0, -1)
                case "set": try await client.send("SMEMBERS", key)
                case "zset": try await client.send("ZRANGE", key, 0, -1, "WITHSCORES")
                case "stream": try await client.send("XRANGE", key, "-", "+")
                default: .null
                }
                kept[key] = Self.texts(of: read)
            }
        } while cursor != "0"
        await client.close()
        #expect(!kept.isEmpty)
        return kept
    }

    /// Every string in a reply, at any depth.
    private static func texts(of reply: RedisReply) -> [String] {
        if let array = reply.array { return array.flatMap(texts(of:)) }
        return reply.bytes.map { [String(decoding: $0, as: UTF8.self)] } ?? ["\(reply)"]
    }
}
