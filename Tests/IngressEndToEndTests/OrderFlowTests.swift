import EventBus
import Foundation
import TestSupport
import Testing

extension IngressEndToEndTests {
    /// Orders placed over HTTP run through the whole saga and can be read back.
    @Suite("Orders")
    struct OrderFlowTests {
        @Test("POST /orders with Prefer: wait answers the confirmed order; GET and the event stream agree")
        func waitedOrderConfirms() async throws {
            try await IngressCluster.run { cluster in
                let reply = try await cluster.http.post(
                    "/orders", json: IngressCluster.order(customer: "c-happy", sku: "BOOK-1", quantity: 3),
                    headers: ["Prefer": "wait=10"]
                )
                #expect(reply.status == 200, "\(reply)")
                #expect(reply.mediaType == "application/json")
                let order = try #require(reply.json, "\(reply)")
                let id = try #require(order["orderId"] as? String)
                #expect(reply.header("Location") == "/orders/\(id)")
                #expect(order["status"] as? String == "confirmed")
                #expect(order["customerId"] as? String == "c-happy")
                #expect(order["amount"] as? Int == 3 * 1250)
                #expect(order["currency"] as? String == "USD")
                let items = order["items"] as? [[String: Any]] ?? []
                #expect(items.count == 1)
                #expect(items.first?["sku"] as? String == "BOOK-1")
                #expect(items.first?["quantity"] as? Int == 3)
                let history = order["history"] as? [[String: Any]] ?? []
                #expect(history.compactMap { $0["type"] as? String }
                    == ["order.created", "stock.reserved", "payment.completed", "order.confirmed"])
                #expect(history.allSatisfy { ($0["time"] as? String)?.isEmpty == false }, "\(history)")

                let read = try await cluster.http.get("/orders/\(id)")
                #expect(read.status == 200)
                #expect(read.mediaType == "application/json")
                #expect(NSDictionary(dictionary: read.json ?? [:]).isEqual(to: order), "\(read) vs \(reply)")

                // The ingress published exactly one order.created for it, as itself.
                try await cluster.settle()
                let created = cluster.createdEvents(for: id)
                #expect(created.count == 1)
                #expect(created.first?["source"] as? String == "switchboard/ingress")
                #expect(created.first?["correlationid"] as? String == id)

                // The stream replays the chain and closes by itself once the order is final.
                let stream = try await cluster.http.exchange("GET", "/orders/\(id)/events", timeout: 15)
                #expect(stream.exitCode == 0, "the event stream did not close by itself")
                let events = try #require(stream.reply)
                #expect(events.status == 200)
                #expect(events.mediaType == "text/event-stream")
                let frames = ServerSentEvents(events.body)
                // Every event once, the final one last (their order is checked by `eventStreamIsInOrder`).
                #expect(frames.types.sorted()
                    == ["order.confirmed", "order.created", "payment.completed", "stock.reserved"], "\(frames.types)")
                #expect(frames.types.last == "order.confirmed")
                for frame in frames.frames {
                    let data = try #require(frame.json, "\(frame)")
                    #expect(data["type"] as? String == frame.event)
                    #expect(data["id"] as? String == frame.id)
                    #expect(data["correlationid"] as? String == id)
                }
            }
        }

        @Test("GET /orders/{id}/events replays an order's events in the order they happened")
        func eventStreamIsInOrder() async throws {
            try await IngressCluster.run { cluster in
                for customer in (1...5).map({ "c-stream-\($0)" }) {
                    let reply = try await cluster.http.post("/orders", json: IngressCluster.order(customer: customer),
                                                            headers: ["Prefer": "wait=10"])
                    let id = try #require(reply.json?["orderId"] as? String, "\(reply)")
                    let stream = try await cluster.http.exchange("GET", "/orders/\(id)/events", timeout: 15)
                    #expect(stream.exitCode == 0, "the event stream did not close by itself")
                    #expect(ServerSentEvents(stream.reply?.body ?? "").types
                        == ["order.created", "stock.reserved", "payment.completed", "order.confirmed"])
                }
            }
        }

        @Test("GET /orders/{id}/events delivers events as they are logged and closes on the final one")
        func liveEventStream() async throws {
            // Only the ingress, with a redis-cli standing in for the order service; the test plays the saga
            // as the services do: each event is published and appended to the order's trace log.
            try await IngressCluster.run(services: ["ingress"]) { cluster in
                try await cluster.startStandIn()
                let accepted = try await cluster.http.post("/orders", json: IngressCluster.order(customer: "c-live"))
                #expect(accepted.status == 202, "\(accepted)")
                let id = try #require(accepted.json?["orderId"] as? String)
                #expect(try await cluster.http.get("/orders/\(id)").json?["status"] as? String == "pending")

                // A raw connection, to see each part of the response as it arrives.
                let stream = try RawConnection(port: cluster.port)
                try stream.send("GET /orders/\(id)/events HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                // The head comes once the stream listens for the order's events.
                let head = await stream.read(for: .seconds(5)) { $0.text.contains("\r\n\r\n") }
                #expect(head.status == 200, "\(head.text)")
                #expect(head.text.lowercased().contains("content-type: text/event-stream"), "\(head.text)")
                func envelope(_ type: String, _ eventID: String, order: String = id) -> String {
                    #"{"specversion":"1.0","id":"\#(eventID)","source":"test","type":"\#(type)","#
                        + #""correlationid":"\#(order)","data":{"orderId":"\#(order)"}}"#
                }
                func emit(_ type: String, _ eventID: String, order: String = id) async throws {
                    let event = envelope(type, eventID, order: order)
                    try await cluster.redis.cli("PUBLISH", type, event)
                    try await cluster.redis.cli("XADD", TraceLog.key(for: order), "*", "event", event)
                }
                // Another order's events are not this stream's business.
                try await emit("order.confirmed", "e-0", order: "o-2")
                try await emit("stock.reserved", "e-1")
                let first = await stream.read(for: .seconds(5)) { $0.text.contains("id: e-1\n") }
                #expect(first.text.contains("event: stock.reserved\n"), "\(first.text)")
                #expect(!first.closed, "the stream ended before the order did")
                try await emit("payment.completed", "e-2")
                try await emit("order.confirmed", "e-3")
                let rest = await stream.read(for: .seconds(10))
                #expect(rest.closed, "the stream did not close after order.confirmed")
                // The body is chunked; the frames sit inside the chunks whole. First the order.created the
                // ingress logged when it accepted the order, then the events logged since, live.
                let frames = ServerSentEvents(head.text + first.text + rest.text)
                #expect(frames.types == ["order.created", "stock.reserved", "payment.completed", "order.confirmed"],
                        "\(frames.frames)")
                #expect(frames.frames.map(\.id).dropFirst() == ["e-1", "e-2", "e-3"])
            }
        }

        @Test("POST /orders without waiting answers 202 pending, and the order can be read at once")
        func orderIsAccepted() async throws {
            try await IngressCluster.run { cluster in
                let reply = try await cluster.http.post("/orders",
                                                        json: IngressCluster.order(customer: "c-async", quantity: 2))
                #expect(reply.status == 202, "\(reply)")
                #expect(reply.mediaType == "application/json")
                let body = try #require(reply.json, "\(reply)")
                let id = try #require(body["orderId"] as? String)
                #expect(!id.isEmpty)
                #expect(body["status"] as? String == "pending")
                #expect(body.count == 2, "\(body)")
                let location = try #require(reply.header("Location"))
                #expect(location == "/orders/\(id)")

                let read = try await cluster.http.get(location)
                #expect(read.status == 200, "\(read)")
                #expect(read.json?["orderId"] as? String == id)
                #expect(read.json?["customerId"] as? String == "c-async")
                #expect(["pending", "reserved", "confirmed"].contains(read.json?["status"] as? String ?? ""), "\(read)")

                let final = try await cluster.finalOrder(id)
                #expect(final["status"] as? String == "confirmed")
                #expect(final["amount"] as? Int == 2 * 1250)
            }
        }

        @Test("a declined card answers 200 cancelled (card_declined) and the stock comes back")
        func declinedCardCancels() async throws {
            try await IngressCluster.run { cluster in
                let reply = try await cluster.http.post(
                    "/orders", json: IngressCluster.order(customer: "c-poor", sku: "MUG-1", quantity: 2,
                                                          card: "4000000000000002"),
                    headers: ["Prefer": "wait=10"]
                )
                #expect(reply.status == 200, "\(reply)")
                let order = try #require(reply.json, "\(reply)")
                let id = try #require(order["orderId"] as? String)
                #expect(order["status"] as? String == "cancelled")
                #expect(order["reason"] as? String == "card_declined")
                let history = (order["history"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String }
                #expect(history.first == "order.created")
                #expect(history.last == "order.cancelled")
                #expect(!history.contains("payment.completed"))

                let stream = try await cluster.http.exchange("GET", "/orders/\(id)/events", timeout: 15)
                #expect(stream.exitCode == 0, "the event stream did not close by itself")
                let types = ServerSentEvents(stream.reply?.body ?? "").types
                // In any order (see `eventStreamIsInOrder`), but the cancellation last and no charge.
                #expect(types.contains("order.created"), "\(types)")
                #expect(types.contains("payment.failed"), "\(types)")
                #expect(!types.contains("payment.completed"), "\(types)")
                #expect(types.last == "order.cancelled", "\(types)")

                var stock: [String: Any]?
                let restored = await eventually(within: .seconds(10)) {
                    stock = try await cluster.http.get("/stock/MUG-1").json
                    return stock?["available"] as? Int == 50 && stock?["reserved"] as? Int == 0
                }
                #expect(restored, "\(String(describing: stock))")
            }
        }

        @Test("GET /stock/{sku} shows the catalog and the levels; GET /metrics counts the requests")
        func stockAndMetrics() async throws {
            try await IngressCluster.run { cluster in
                let mug = try await cluster.http.get("/stock/MUG-1")
                #expect(mug.status == 200, "\(mug)")
                #expect(mug.mediaType == "application/json")
                let item = try #require(mug.json, "\(mug)")
                #expect(Set(item.keys) == ["sku", "name", "price", "currency", "available", "reserved"])
                #expect(item["sku"] as? String == "MUG-1")
                #expect((item["name"] as? String)?.isEmpty == false)
                #expect(item["price"] as? Int == 900)
                #expect(item["currency"] as? String == "USD")
                #expect(item["available"] as? Int == 50)
                #expect(item["reserved"] as? Int == 0)

                let order = try await cluster.http.post("/orders",
                                                        json: IngressCluster.order(sku: "MUG-1", quantity: 2),
                                                        headers: ["Prefer": "wait=10"])
                #expect(order.json?["status"] as? String == "confirmed", "\(order)")
                let after = try await cluster.http.get("/stock/MUG-1").json
                #expect(after?["available"] as? Int == 48)
                #expect(after?["reserved"] as? Int == 0)
                try await cluster.http.get("/stock/NOPE").expectProblem(404)

                let metrics = try await cluster.http.get("/metrics")
                #expect(metrics.status == 200)
                #expect(metrics.mediaType == "text/plain")
                let exposition = PrometheusText(metrics.body)
                let requests = "switchboard_http_requests_total"
                #expect(exposition.types[requests] == "counter", "\(metrics.body)")
                #expect(exposition.total(requests, ["method": "GET", "route": "/stock/{sku}", "status": "200"]) == 2,
                        "\(metrics.body)")
                #expect(exposition.total(requests, ["method": "GET", "route": "/stock/{sku}", "status": "404"]) == 1,
                        "\(metrics.body)")
                #expect(exposition.total(requests, ["method": "POST", "route": "/orders", "status": "200"]) == 1,
                        "\(metrics.body)")
            }
        }
    }
}
