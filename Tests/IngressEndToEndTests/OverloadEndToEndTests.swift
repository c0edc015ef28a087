import Foundation
import TestSupport
import Testing

extension IngressEndToEndTests {
    /// Overload as a designed state (`docs/http.md`, "Overload"): beyond its limits the ingress answers
    /// `503` with `Retry-After` at once and publishes nothing, while the orders it took end normally.
    @Suite("Overload")
    struct OverloadEndToEndTests {
        /// The limits under test.
        static let pendingOrders = 4
        static let excess = 8

        @Test("beyond the pending-order limit POST /orders is shed with 503 and publishes nothing; taken orders end")
        func shedsBeyondThePendingLimit() async throws {
            // The card provider takes 10 s, so the first orders hold their places while the others arrive.
            let settings = #"""
                "http": {"maximumPendingOrders": \#(Self.pendingOrders), "maximumEventStreams": 1},
                "payment": {"latencyMilliseconds": 10000, "timeoutMilliseconds": 60000}
                """#
            try await IngressCluster.run(settings: settings) { cluster in
                // Taken: each waits 1 s, then is answered 202 while its payment runs.
                let taken = try await Self.post(Self.pendingOrders, to: cluster, wait: 1)
                #expect(taken.map(\.status) == Array(repeating: 202, count: Self.pendingOrders), "\(taken)")
                let ids = taken.compactMap { $0.json?["orderId"] as? String }
                #expect(Set(ids).count == Self.pendingOrders)

                // The excess: 503 with Retry-After and a problem.
                let shed = try await Self.post(Self.excess, to: cluster, wait: 10)
                for reply in shed {
                    reply.expectProblem(503)
                    #expect(reply.header("Retry-After") == "1", "\(reply)")
                    #expect(reply.json?["type"] as? String == "https://switchboard.dev/problems/overloaded", "\(reply)")
                }

                // Nothing was published for them.
                try await cluster.settle()
                #expect(cluster.events(on: "order.created").count == Self.pendingOrders)

                // Health says overloaded (still 200), metrics count the shed requests by reason.
                let health = try await cluster.http.get("/health")
                #expect(health.status == 200, "\(health)")
                #expect(health.json?["status"] as? String == "overloaded", "\(health)")
                let metrics = PrometheusText(try await cluster.http.get("/metrics").body)
                let shedCount = metrics.total("switchboard_http_shed_total", ["reason": "pending-orders"])
                #expect(shedCount == Double(Self.excess))
                let pending = metrics.total("switchboard_ingress_pending_orders", [:])
                #expect(pending <= Double(Self.pendingOrders), "pending orders \(pending)")

                // One event stream at a time: a second one is shed while the first is open.
                let id = try #require(ids.first)
                async let first = cluster.http.exchange("GET", "/orders/\(id)/events", timeout: 60)
                let open = await eventually(within: .seconds(20), every: .milliseconds(100)) {
                    let text = try await cluster.http.get("/metrics").body
                    return PrometheusText(text).total("switchboard_ingress_event_streams", [:]) == 1
                }
                #expect(open, "the first event stream did not open")
                let second = try await cluster.http.get("/orders/\(ids[1])/events", timeout: 5)
                second.expectProblem(503)
                #expect(second.header("Retry-After") == "1", "\(second)")

                // Every taken order ends; the first stream closes with it.
                for id in ids {
                    var status: String?
                    let ended = await eventually(within: .seconds(60), every: .milliseconds(200)) {
                        status = try await cluster.http.get("/orders/\(id)").json?["status"] as? String
                        return status == "confirmed" || status == "cancelled"
                    }
                    #expect(ended, "order \(id) is still \(status ?? "unknown")")
                }
                #expect(try await first.exitCode == 0, "the first event stream did not close by itself")

                // The places are free again: a new order is taken.
                let again = try await cluster.http.post("/orders", json: IngressCluster.order(customer: "c-after"))
                #expect(again.status == 202, "\(again)")
            }
        }

        /// `count` concurrent `POST /orders` with `Prefer: wait=<wait>`.
        static func post(_ count: Int, to cluster: IngressCluster, wait: Int) async throws -> [HTTPReply] {
            try await withThrowingTaskGroup(of: HTTPReply.self) { group in
                for index in 0..<count {
                    group.addTask {
                        try await cluster.http.post("/orders", json: IngressCluster.order(customer: "c-load-\(index)"),
                                                    headers: ["Prefer": "wait=\(wait)"])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
    }
}
