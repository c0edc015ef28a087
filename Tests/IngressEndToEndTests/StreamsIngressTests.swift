import Foundation
import TestSupport
import Testing

extension IngressEndToEndTests {
    /// The ingress on the streams transport: its accept adds `order.created` to the stream, and `Prefer: wait`
    /// and event streams follow the order with the stream watcher (`XREAD`), not pub/sub.
    @Suite("On streams")
    struct StreamsIngressTests {
        @Test("POST /orders adds one order.created entry, a repeated key none; Prefer: wait and events follow it")
        func acceptAndFollowOnStreams() async throws {
            try await IngressCluster.run(transport: "streams") { cluster in
                let key = ["Idempotency-Key": "k-streams", "Prefer": "wait=15"]
                let reply = try await cluster.http.post("/orders", json: IngressCluster.order(quantity: 2),
                                                        headers: key)
                #expect(reply.status == 200, "\(reply)")
                #expect(reply.header("Preference-Applied") == "wait=15")
                #expect(reply.json?["status"] as? String == "confirmed", "\(reply)")
                let id = try #require(reply.json?["orderId"] as? String)
                let again = try await cluster.http.post("/orders", json: IngressCluster.order(quantity: 2),
                                                        headers: key)
                #expect(again.json?["orderId"] as? String == id, "\(again)")

                // One entry, the ingress's, for the order.
                #expect(try await cluster.redis.cli("XLEN", "order.created") == "1")
                let entry = try await cluster.redis.cli("XRANGE", "order.created", "-", "+")
                #expect(entry.contains(#""orderId":"\#(id)""#) && entry.contains("switchboard/ingress"), "\(entry)")
                // Every service's group read it and acknowledged it.
                for group in ["order", "stock", "payment"] {
                    #expect(try await cluster.redis.cli("XPENDING", "order.created", group)
                        .split(separator: "\n").first == "0", "\(group) left order.created pending")
                }

                let stream = try await cluster.http.exchange("GET", "/orders/\(id)/events", timeout: 15)
                #expect(stream.exitCode == 0, "the event stream did not close by itself")
                let frames = ServerSentEvents(stream.reply?.body ?? "")
                #expect(frames.types == ["order.created", "stock.reserved", "payment.completed", "order.confirmed"],
                        "\(frames.frames)")

                // A declined card ends the wait too, cancelled.
                let declined = try await cluster.http.post(
                    "/orders", json: IngressCluster.order(card: "4000000000000002"), headers: ["Prefer": "wait=15"]
                )
                #expect(declined.json?["status"] as? String == "cancelled", "\(declined)")
            }
        }
    }
}
