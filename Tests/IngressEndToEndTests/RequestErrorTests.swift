import Foundation
import TestSupport
import Testing

extension IngressEndToEndTests {
    /// Every error of the contract is an `application/problem+json` answer with the right status, and a
    /// rejected request publishes nothing.
    @Suite("Request errors")
    struct RequestErrorTests {
        @Test("malformed JSON 400, too large 413, wrong content type 415, unknown 404, wrong method 405")
        func protocolErrors() async throws {
            try await IngressCluster.run { cluster in
                let http = cluster.http
                for body in [#"{"customerId":"#, "not json", #"{"customerId":"c-1"} trailing"#, ""] {
                    try await http.post("/orders", json: body).expectProblem(400)
                }

                let filler = String(repeating: "a", count: 70_000)
                let tooLarge = #"{"customerId":"\#(filler)","items":[],"payment":{}}"#
                try await http.post("/orders", json: tooLarge).expectProblem(413)
                // Without a Content-Length the limit holds as the body arrives.
                try await http.post("/orders", json: tooLarge, headers: ["Transfer-Encoding": "chunked"])
                    .expectProblem(413)
                // A body under the limit is read and judged on its fields.
                let large = #"{"customerId":"\#(String(filler.prefix(60_000)))","items":[],"payment":{}}"#
                let judged = try await http.post("/orders", json: large)
                judged.expectProblem(422)
                #expect(judged.errorFields.contains("customerId"), "\(judged)")

                let order = IngressCluster.order()
                for type in ["text/plain", "application/x-www-form-urlencoded", "application/xml", ""] {
                    try await http.send("POST", "/orders", headers: ["Content-Type": type], body: order)
                        .expectProblem(415)
                }
                // Parameters of the media type do not matter.
                let charset = try await http.send("POST", "/orders",
                                                  headers: ["Content-Type": "application/json; charset=utf-8"],
                                                  body: order)
                #expect(charset.status == 202, "\(charset)")

                // `/` is the dashboard.
                for path in ["/nope", "/orders/o-1/events/more", "/stocks/MUG-1", "/orders/unknown",
                             "/orders/unknown/events", "/orders/unknown/trace", "/stock/NOPE", "/dashboard/nope.js"] {
                    try await http.get(path).expectProblem(404)
                }

                for (method, path, allow) in [("DELETE", "/orders", "POST"), ("GET", "/orders", "POST"),
                                              ("POST", "/health", "GET"), ("PUT", "/orders/o-1", "GET"),
                                              ("POST", "/stock/MUG-1", "GET"), ("DELETE", "/metrics", "GET")] {
                    let reply = try await http.send(method, path)
                    reply.expectProblem(405)
                    #expect(reply.header("Allow") == allow, "\(method) \(path): \(reply)")
                }

                // Only the one valid order was published; the ingress is as healthy as before.
                try await cluster.settle()
                #expect(cluster.events(on: "order.created").count == 1)
                #expect(try await http.get("/health").status == 200)
            }
        }

        @Test("a valid JSON body with invalid fields is 422 with an errors list naming each field")
        func invalidFields() async throws {
            let card = #""payment":{"card":"4242424242424242"}"#
            let item = #"{"sku":"BOOK-1","quantity":1}"#
            func long(_ count: Int, _ character: Character = "B") -> String {
                String(repeating: character, count: count)
            }
            let cases: [(body: String, fields: [String])] = [
                (#"{"items":[\#(item)],\#(card)}"#, ["customerId"]),
                (#"{"customerId":"","items":[\#(item)],\#(card)}"#, ["customerId"]),
                (#"{"customerId":42,"items":[\#(item)],\#(card)}"#, ["customerId"]),
                (#"{"customerId":"c-1","items":[],\#(card)}"#, ["items"]),
                (#"{"customerId":"c-1",\#(card)}"#, ["items"]),
                (#"{"customerId":"c-1","items":{"sku":"BOOK-1"},\#(card)}"#, ["items"]),
                (#"{"customerId":"c-1","items":[{"sku":"BOOK-1","quantity":"2"}],\#(card)}"#, ["items[0].quantity"]),
                (#"{"customerId":"c-1","items":[{"sku":"BOOK-1","quantity":0}],\#(card)}"#, ["items[0].quantity"]),
                (#"{"customerId":"c-1","items":[{"sku":"BOOK-1","quantity":-3}],\#(card)}"#, ["items[0].quantity"]),
                (#"{"customerId":"c-1","items":[{"sku":"BOOK-1","quantity":1.5}],\#(card)}"#, ["items[0].quantity"]),
                (#"{"customerId":"c-1","items":[{"sku":"BOOK-1"}],\#(card)}"#, ["items[0].quantity"]),
                (#"{"customerId":"c-1","items":[{"quantity":1}],\#(card)}"#, ["items[0].sku"]),
                (#"{"customerId":"c-1","items":[\#(item),{"sku":"","quantity":1}],\#(card)}"#, ["items[1].sku"]),
                (#"{"customerId":"c-1","items":[\#(item)]}"#, ["payment"]),
                (#"{"customerId":"c-1","items":[\#(item)],"payment":"4242424242424242"}"#, ["payment"]),
                (#"{"customerId":"c-1","items":[\#(item)],"payment":{}}"#, ["payment.card"]),
                (#"{"customerId":"c-1","items":[\#(item)],"payment":{"card":4242424242424242}}"#, ["payment.card"]),
                // The schema's rules (docs/openapi.yaml): SKU pattern, card digits, lengths, no unknown members.
                (#"{"customerId":"c-1","items":[{"sku":"BOOK 1","quantity":1}],\#(card)}"#, ["items[0].sku"]),
                (#"{"customerId":"c-1","items":[{"sku":"\#(long(65))","quantity":1}],\#(card)}"#, ["items[0].sku"]),
                (#"{"customerId":"c-1","items":[\#(item)],"payment":{"card":"abc"}}"#, ["payment.card"]),
                (#"{"customerId":"c-1","items":[\#(item)],"payment":{"card":"\#(long(20, "4"))"}}"#, ["payment.card"]),
                (#"{"customerId":"c-1","items":[{"sku":"BOOK-1","quantity":1000001}],\#(card)}"#,
                 ["items[0].quantity"]),
                (#"{"customerId":"\#(long(201))","items":[\#(item)],\#(card)}"#, ["customerId"]),
                (#"{"customerId":"c-1","items":[\#(item)],\#(card),"coupon":"FREE"}"#, ["coupon"]),
                (#"{"customerId":"c-1","items":[{"sku":"BOOK-1","quantity":1,"price":1}],\#(card)}"#,
                 ["items[0].price"]),
            ]
            try await IngressCluster.run { cluster in
                for (body, fields) in cases {
                    let reply = try await cluster.http.post("/orders", json: body)
                    reply.expectProblem(422)
                    #expect(reply.errorFields == fields, "\(body): \(reply)")
                    let errors = reply.json?["errors"] as? [[String: Any]] ?? []
                    #expect(errors.allSatisfy { ($0["message"] as? String)?.isEmpty == false }, "\(reply)")
                }

                // Every bad field is named, not only the first.
                let empty = try await cluster.http.post("/orders", json: "{}")
                empty.expectProblem(422)
                #expect(Set(empty.errorFields) == ["customerId", "items", "payment"], "\(empty)")
                // JSON that is not an object is still a request with invalid fields.
                for body in ["[]", "42", #""order""#, "null"] {
                    let reply = try await cluster.http.post("/orders", json: body)
                    reply.expectProblem(422)
                    #expect(!reply.errorFields.isEmpty, "\(body): \(reply)")
                }

                try await cluster.settle()
                #expect(cluster.events(on: "order.created").isEmpty, "\(cluster.published())")
            }
        }

        @Test("Redis down: POST and GET /orders answer 503 at once and /health says down; back up, orders confirm")
        func redisDown() async throws {
            // Append-only, so the seeded stock survives the restart.
            try await IngressCluster.run(redisOptions: RedisServer.Options(appendOnly: true)) { cluster in
                let first = try await cluster.http.post("/orders", json: IngressCluster.order(),
                                                        headers: ["Prefer": "wait=10"])
                #expect(first.json?["status"] as? String == "confirmed", "\(first)")
                let id = try #require(first.json?["orderId"] as? String)

                cluster.redis.stop()
                // With `Prefer: wait=30` an ingress that waited for Redis would answer only after curl gave
                // up (20 s): a 503 at all is the oracle; its time is printed, not asserted.
                let refused = try await cluster.http.exchange("POST", "/orders",
                                                              headers: ["Content-Type": "application/json",
                                                                        "Prefer": "wait=30"],
                                                              body: IngressCluster.order(), timeout: 20)
                let reply = try #require(refused.reply, "no answer within 20 s while Redis was down")
                reply.expectProblem(503)
                print("POST /orders with Redis down: 503 after \(refused.elapsed)")
                let health = try await cluster.http.get("/health")
                #expect(health.status == 503, "\(health)")
                #expect(health.json?["status"] as? String == "down", "\(health)")
                #expect((health.json?["redis"] as? [String: Any])?["status"] as? String == "down", "\(health)")
                // Not "no such order": Redis cannot say.
                try await cluster.http.get("/orders/\(id)").expectProblem(503)
                #expect(cluster.isRunning, "the ingress exited without Redis: \(cluster.log)")

                try await cluster.redis.restart()
                var last: HTTPReply?
                let confirmed = await eventually(within: .seconds(30), every: .milliseconds(250)) {
                    last = try await cluster.http.post("/orders", json: IngressCluster.order(),
                                                       headers: ["Prefer": "wait=3"])
                    return last?.json?["status"] as? String == "confirmed"
                }
                #expect(confirmed, "no order confirmed after Redis came back: \(String(describing: last))")
                let healthy = await eventually(within: .seconds(15), every: .milliseconds(250)) {
                    try await cluster.http.get("/health").status == 200
                }
                #expect(healthy)
                #expect(try await cluster.http.get("/orders/\(id)").json?["status"] as? String == "confirmed")
            }
        }
    }
}
