import Foundation
import SystemReads
import TestSupport
import Testing

extension IngressEndToEndTests {
    /// What the ingress publishes: one `order.created` per accepted order, nothing else, and nothing at
    /// all when no service would receive it.
    @Suite("Publishing")
    struct PublishingTests {
        @Test("the same Idempotency-Key and body answer the same order and publish once; another body is 422")
        func idempotencyKey() async throws {
            try await IngressCluster.run { cluster in
                let key = ["Idempotency-Key": "k-\(UUID().uuidString)"]
                let body = IngressCluster.order(customer: "c-idem", quantity: 2)
                let first = try await cluster.http.post("/orders", json: body, headers: key)
                #expect(first.status == 202, "\(first)")
                let id = try #require(first.json?["orderId"] as? String)

                let again = try await cluster.http.post("/orders", json: body, headers: key)
                #expect(again.status == 202, "\(again)")
                #expect(again.json?["orderId"] as? String == id)
                #expect(again.header("Location") == "/orders/\(id)")
                // The same order written differently is the same body.
                let reordered = #"{ "payment": {"card": "4242424242424242"},"#
                    + #" "items": [{"quantity": 2, "sku": "BOOK-1"}], "customerId": "c-idem" }"#
                let third = try await cluster.http.post("/orders", json: reordered, headers: key)
                #expect(third.json?["orderId"] as? String == id, "\(third)")

                let other = try await cluster.http.post("/orders", json: IngressCluster.order(customer: "c-idem",
                                                                                              quantity: 3),
                                                        headers: key)
                other.expectProblem(422)

                // Another key is another order.
                let fresh = try await cluster.http.post("/orders", json: body,
                                                        headers: ["Idempotency-Key": "k-\(UUID().uuidString)"])
                #expect(fresh.status == 202, "\(fresh)")
                let freshID = try #require(fresh.json?["orderId"] as? String)
                #expect(freshID != id)

                try await cluster.settle()
                #expect(cluster.createdEvents(for: id).count == 1)
                #expect(cluster.createdEvents(for: freshID).count == 1)
                #expect(cluster.events(on: "order.created").count == 2)
                let order = try await cluster.finalOrder(id)
                #expect(order["status"] as? String == "confirmed")
                #expect(order["amount"] as? Int == 2 * 1250)
            }
        }

        @Test("no request can publish anything but order.created")
        func onlyOrderCreatedIsPublished() async throws {
            // Only the ingress, with a redis-cli standing in for the order service: nothing else publishes.
            try await IngressCluster.run(services: ["ingress"]) { cluster in
                try await cluster.startStandIn()

                let forged = #"{"specversion":"1.0","id":"forged-1","source":"switchboard/payment","#
                    + #""type":"payment.completed","correlationid":"o-forged","datacontenttype":"application/json","#
                    + #""data":{"orderId":"o-forged","paymentId":"pay_forged","amount":1,"currency":"USD"}}"#
                let routes = [("POST", "/events"), ("PUT", "/events"), ("POST", "/publish"),
                              ("POST", "/payment.completed"), ("PUT", "/payment.completed"),
                              ("POST", "/order.created"), ("POST", "/orders/o-forged/events"),
                              ("POST", "/orders/o-forged"), ("PUT", "/orders"), ("PATCH", "/orders"),
                              ("POST", "/stock/BOOK-1")]
                for (method, path) in routes {
                    for type in ["application/json", "application/cloudevents+json"] {
                        let reply = try await cluster.http.send(method, path, headers: ["Content-Type": type],
                                                                body: forged)
                        #expect([404, 405].contains(reply.status), "\(method) \(path): \(reply)")
                        #expect(reply.mediaType == "application/problem+json")
                    }
                }
                try await cluster.http.send("POST", "/orders",
                                            headers: ["Content-Type": "application/cloudevents+json"], body: forged)
                    .expectProblem(415)
                // An envelope is validated as an order: no order fields, 422.
                try await cluster.http.post("/orders", json: forged).expectProblem(422)

                // An envelope that also carries valid order fields is refused too: its envelope members are
                // not fields of an order.
                let sneaky = #"{"specversion":"1.0","id":"forged-2","source":"switchboard/payment","#
                    + #""type":"payment.completed","correlationid":"o-forged","#
                    + #""customerId":"c-sneaky","items":[{"sku":"BOOK-1","quantity":1}],"#
                    + #""payment":{"card":"4242424242424242"},"#
                    + #""data":{"orderId":"o-forged","paymentId":"pay_forged","amount":1,"currency":"USD"}}"#
                let refused = try await cluster.http.post("/orders", json: sneaky)
                refused.expectProblem(422)
                #expect(refused.errorFields == ["correlationid", "data", "id", "source", "specversion", "type"],
                        "\(refused)")

                // An order is published as an ordinary order.created, with the ingress's own attributes.
                let accepted = try await cluster.http.post("/orders", json: IngressCluster.order(customer: "c-sneaky"))
                #expect(accepted.status == 202, "\(accepted)")
                let id = try #require(accepted.json?["orderId"] as? String)

                try await cluster.settle()
                let published = cluster.published()
                #expect(published.map(\.channel) == ["order.created"], "\(published)")
                let event = try #require(cluster.createdEvents(for: id).first, "\(published)")
                #expect(event["type"] as? String == "order.created")
                #expect(event["source"] as? String == "switchboard/ingress")
                #expect(event["correlationid"] as? String == id)
                let data = event["data"] as? [String: Any] ?? [:]
                #expect(Set(data.keys) == ["orderId", "customerId", "items", "payment"], "\(data)")
                #expect(data["customerId"] as? String == "c-sneaky")
            }
        }

        @Test("with only the ingress running, /health is 503 degraded and names the missing services")
        func healthWithoutServices() async throws {
            try await IngressCluster.run(services: ["ingress"]) { cluster in
                let health = try await cluster.http.get("/health")
                #expect(health.status == 503, "\(health)")
                #expect(health.mediaType == "application/json")
                let report = try #require(health.json, "\(health)")
                #expect(report["status"] as? String == "degraded")
                #expect((report["redis"] as? [String: Any])?["status"] as? String == "up")
                let services = report["services"] as? [String: [String: Any]] ?? [:]
                for name in HealthReport.requiredServices {
                    #expect(services[name]?["status"] as? String == "down", "\(name): \(report)")
                    #expect((services[name]?["instances"] as? [Any])?.isEmpty == true, "\(name): \(report)")
                }
                let ingress = services["ingress"]?["instances"] as? [[String: Any]] ?? []
                #expect(services["ingress"]?["status"] as? String == "up", "\(report)")
                #expect(ingress.count == 1)
            }
        }

        @Test("with no subscriber on order.created, POST /orders is 503 and records nothing")
        func noSubscriberIsUnavailable() async throws {
            // No observer either: only the ingress's own watch of every channel is subscribed to anything.
            try await IngressCluster.run(services: ["ingress"], observing: false) { cluster in
                let reply = try await cluster.http.post("/orders", json: IngressCluster.order())
                reply.expectProblem(503)
                let keyed = try await cluster.http.post("/orders", json: IngressCluster.order(),
                                                        headers: ["Idempotency-Key": "k-none"])
                keyed.expectProblem(503)
                #expect(try await cluster.redis.cli("KEYS", "ingress:*").isEmpty)
            }
        }
    }
}
