import Foundation
import TestSupport
import Testing

extension IngressEndToEndTests {
    /// The limits `docs/http.md` sets on a request, and what happens to requests in flight at `SIGTERM`.
    @Suite("Limits and shutdown")
    struct LimitsTests {
        @Test("Prefer: wait is applied as asked, at most 30 s; no Prefer, no Preference-Applied")
        func preferenceApplied() async throws {
            try await IngressCluster.run { cluster in
                // wait=100 is capped: the header says 30; the order ends long before either.
                let capped = try await cluster.http.post("/orders", json: IngressCluster.order(),
                                                         headers: ["Prefer": "wait=100"])
                #expect(capped.status == 200, "\(capped)")
                #expect(capped.header("Preference-Applied") == "wait=30", "\(capped)")
                let listed = try await cluster.http.post("/orders", json: IngressCluster.order(),
                                                         headers: ["Prefer": "respond-async, wait=7"])
                #expect(listed.status == 200, "\(listed)")
                #expect(listed.header("Preference-Applied") == "wait=7", "\(listed)")
                let plain = try await cluster.http.post("/orders", json: IngressCluster.order())
                #expect(plain.status == 202, "\(plain)")
                #expect(plain.header("Preference-Applied") == nil, "\(plain)")
            }
        }

        @Test("Idempotency-Key: 200 characters are a key, 201 are 400 and publish nothing")
        func idempotencyKeyLength() async throws {
            try await IngressCluster.run { cluster in
                let longest = try await cluster.http.post(
                    "/orders", json: IngressCluster.order(),
                    headers: ["Idempotency-Key": String(repeating: "k", count: 200)]
                )
                #expect(longest.status == 202, "\(longest)")
                let tooLong = try await cluster.http.post(
                    "/orders", json: IngressCluster.order(customer: "c-long"),
                    headers: ["Idempotency-Key": String(repeating: "k", count: 201)]
                )
                tooLong.expectProblem(400)
                #expect((tooLong.json?["type"] as? String)?.contains("invalid-idempotency-key") == true, "\(tooLong)")
                try await cluster.settle()
                let created = cluster.events(on: "order.created")
                #expect(created.count == 1, "\(created)")
                #expect(!cluster.published().contains { $0.payload.contains("c-long") })
            }
        }

        @Test("a wait that runs out answers 202 with the order as it stands, Preference-Applied and Location")
        func waitRunsOut() async throws {
            // Only the ingress, with a redis-cli subscribed in place of the services: no order ever ends.
            try await IngressCluster.run(services: ["ingress"]) { cluster in
                try await cluster.startStandIn()
                let started = ContinuousClock.now
                let reply = try await cluster.http.post("/orders", json: IngressCluster.order(),
                                                        headers: ["Prefer": "wait=1"])
                print("Prefer: wait=1 for an order that never ends answered after \(ContinuousClock.now - started)")
                #expect(reply.status == 202, "\(reply)")
                #expect(reply.header("Preference-Applied") == "wait=1", "\(reply)")
                let id = try #require(reply.json?["orderId"] as? String, "\(reply)")
                #expect(reply.json?["status"] as? String == "pending", "\(reply)")
                #expect(reply.header("Location") == "/orders/\(id)")
                #expect(try await cluster.http.get("/orders/\(id)").json?["status"] as? String == "pending")
            }
        }

        @Test("http.connectionLimit: with the limit held by stalled clients a new one is not served; freed, it is")
        func connectionLimit() async throws {
            // Idle connections are kept a minute, so the stalled ones hold their places for the whole test.
            let settings = #""http": {"connectionLimit": 4, "idleTimeoutSeconds": 60}"#
            try await IngressCluster.run(services: ["ingress"], settings: settings) { cluster in
                var stalled: [RawConnection] = []
                for _ in 0..<4 {
                    let connection = try RawConnection(port: cluster.port)
                    try connection.send("GET /hea")
                    stalled.append(connection)
                }
                let extra = try RawConnection(port: cluster.port)
                defer { extra.close() }
                try extra.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                // Not served while the four hold the limit: closed at once, or left waiting, but no answer.
                let meanwhile = await extra.read(for: .seconds(3)) { $0.closed || $0.status != nil }
                #expect(meanwhile.status == nil, "served beyond the limit: \(meanwhile.text)")

                stalled.forEach { $0.close() }
                // A freed place serves the waiting client (if it was left waiting) and a new one. Only the
                // ingress runs, so /health answers 503 degraded: any answer is being served.
                if !meanwhile.closed {
                    let served = await extra.read(for: .seconds(15)) { $0.status != nil }
                    #expect(served.status == 503, "the waiting client was not served once places freed")
                }
                var last: HTTPReply?
                let served = await eventually(within: .seconds(15), every: .milliseconds(100)) {
                    last = try await cluster.http.get("/health", timeout: 5)
                    return last?.status == 503
                }
                #expect(served, "no request served after the stalled clients left: \(String(describing: last))")
            }
        }

        @Test("SIGTERM: a request waiting for its order and an open event stream are answered and ended, exit 0")
        func drainsOnSigterm() async throws {
            try await IngressCluster.run(services: ["ingress"], settings: #""shutdownGraceSeconds": 15"#) { cluster in
                try await cluster.startStandIn()
                let accepted = try await cluster.http.post("/orders", json: IngressCluster.order())
                let id = try #require(accepted.json?["orderId"] as? String, "\(accepted)")
                let stream = try RawConnection(port: cluster.port)
                defer { stream.close() }
                try stream.send("GET /orders/\(id)/events HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                let head = await stream.read(for: .seconds(10)) { $0.text.contains("event: order.created\n") }
                try #require(head.status == 200 && !head.closed, "\(head.text)")

                // A request that waits 5 s for an order that never ends: in flight once its order exists.
                let before = try await Self.orderCount(cluster)
                async let waiting = cluster.http.exchange("POST", "/orders",
                                                          headers: ["Content-Type": "application/json",
                                                                    "Prefer": "wait=5"],
                                                          body: IngressCluster.order(customer: "c-waiting"))
                let inFlight = await eventually { try await Self.orderCount(cluster) == before + 1 }
                try #require(inFlight, "the waiting request's order was never accepted")
                cluster.terminate()

                // The stream ends at once, cleanly: the last chunk is the terminating one.
                let rest = await stream.read(for: .seconds(10))
                #expect(rest.closed, "the event stream stayed open after SIGTERM")
                #expect((head.text + rest.text).hasSuffix("0\r\n\r\n"), "not a clean end: \(rest.text)")
                // The waiting request is answered when its wait runs out, within the grace period.
                let answered = try await waiting
                let reply = try #require(answered.reply,
                                         "the waiting request got no answer (curl \(answered.exitCode ?? -1))")
                #expect(reply.status == 202, "\(reply)")
                #expect(reply.header("Preference-Applied") == "wait=5", "\(reply)")
                print("SIGTERM with a request waiting 5 s: answered after \(answered.elapsed) from its start")
                #expect(await cluster.waitForExit() == .exited(0), "\(cluster.log)")
                // Stopped: nothing listens on the port any more.
                let refused = try await cluster.http.exchange("GET", "/health", timeout: 5)
                #expect(refused.reply == nil, "answered after the exit: \(String(describing: refused.reply))")
            }
        }

        @Test("SIGTERM: a request that would wait past the grace period is answered 503 at its end, exit 0")
        func answersLateRequestsAtTheEndOfTheGrace() async throws {
            try await IngressCluster.run(services: ["ingress"], settings: #""shutdownGraceSeconds": 1"#) { cluster in
                try await cluster.startStandIn()
                let before = try await Self.orderCount(cluster)
                async let waiting = cluster.http.exchange("POST", "/orders",
                                                          headers: ["Content-Type": "application/json",
                                                                    "Prefer": "wait=20"],
                                                          body: IngressCluster.order())
                let inFlight = await eventually { try await Self.orderCount(cluster) == before + 1 }
                try #require(inFlight, "the waiting request's order was never accepted")
                cluster.terminate()
                let answered = try await waiting
                let reply = try #require(answered.reply, "no answer (curl \(answered.exitCode ?? -1))")
                reply.expectProblem(503)
                print("SIGTERM, grace 1 s, a request waiting 20 s: 503 after \(answered.elapsed) from its start")
                #expect(await cluster.waitForExit() == .exited(0), "\(cluster.log)")
            }
        }

        /// How many orders the ingress accepted (`ingress:order:{p07}:<id>`, kept until the order service records
        /// them).
        private static func orderCount(_ cluster: IngressCluster) async throws -> Int {
            let keys = try await cluster.redis.cli("--scan", "--pattern", "ingress:order:*")
            return keys.split(separator: "\n").count
        }
    }
}
