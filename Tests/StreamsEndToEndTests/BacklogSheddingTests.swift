import Foundation
import TestSupport
import Testing

extension StreamsDurabilityTests {
    /// The ingress on streams sheds new orders while the services are behind (`http.maximumBacklog`,
    /// `docs/http.md` "Overload"), so a backlog does not turn into ever longer waits. Nested here to run
    /// one test at a time with the durability tests, which load the machine.
    @Suite("Backlog shedding")
    struct BacklogSheddingTests {
        /// The backlog beyond which the ingress sheds, small enough for a test.
        static let maximumBacklog = 20

        @Test("past http.maximumBacklog an order is shed (503, backlog), publishing nothing; drained, one is taken")
        func shedsWhileTheServicesAreBehind() async throws {
            try await StreamsCluster.with { cluster in
                try await cluster.startSaga()
                let ingress = try await Self.startIngress(on: cluster)
                do {
                    let http = HTTPClient(port: ingress.port, scratch: cluster.redis.directory)
                    let order = #"{"customerId":"c-1","items":[{"sku":"BOOK-1","quantity":1}],"#
                        + #""payment":{"card":"4242424242424242"}}"#

                    // The order service stops reading; 50 orders wait in its group.
                    cluster.freeze("order-1")
                    let waiting = TestOrder.batch("backlog", count: 50)
                    #expect(try await cluster.add(waiting) == waiting.count)

                    // Within a sample or two the ingress sees the backlog and sheds new orders.
                    var last: HTTPReply?
                    let shedding = await eventually(within: .seconds(20), every: .milliseconds(100)) {
                        last = try await http.post("/orders", json: order)
                        return last?.status == 503
                    }
                    let shed = try #require(last)
                    #expect(shedding, "no order was shed: \(shed)")
                    shed.expectProblem(503)
                    #expect(shed.header("Retry-After") == "1", "\(shed)")
                    #expect((shed.json?["detail"] as? String)?.hasSuffix("(backlog)") == true, "\(shed)")
                    let created = try await cluster.redis.cli("XLEN", "order.created")
                    let again = try await http.post("/orders", json: order)
                    #expect(again.status == 503, "\(again)")
                    let after = try await cluster.redis.cli("XLEN", "order.created")
                    #expect(after == created, "a shed order was published")

                    // The order service goes on, the backlog drains, and new orders are taken again.
                    cluster.thaw("order-1")
                    let tally = try await cluster.settle(waiting)
                    #expect(tally.final == waiting.count, "\(tally)")
                    let taken = await eventually(within: .seconds(30), every: .milliseconds(200)) {
                        try await http.post("/orders", json: order).status == 202
                    }
                    #expect(taken, "the ingress still sheds after the backlog drained")
                    let metrics = try await http.get("/metrics").body
                    let counted = metrics.split(separator: "\n").contains { line in
                        line.hasPrefix("switchboard_http_shed_total{") && line.contains(#"reason="backlog""#)
                            && !line.hasSuffix(" 0")
                    }
                    #expect(counted, "no shed request counted with reason backlog")
                } catch {
                    ingress.process.kill()
                    throw error
                }
                ingress.process.send(signal: SIGTERM)
                let termination = await ingress.process.waitForExit(timeout: .seconds(15))
                ingress.process.kill()
                #expect(termination == .exited(0),
                        "the ingress did not stop cleanly: \(ingress.process.text(of: .standardError))")
            }
        }

        /// `switchboard run ingress` on streams with a small `http.maximumBacklog`, once it answers `/health`.
        static func startIngress(on cluster: StreamsCluster) async throws -> (process: ChildProcess, port: Int) {
            let config = cluster.redis.directory + "/ingress.json"
            let settings = """
                {"catalog": "\(Repository.path("Config/catalog.json"))", "http": {"maximumBacklog": \(maximumBacklog)}}
                """
            try settings.write(toFile: config, atomically: true, encoding: .utf8)
            let port = FreePort.next()
            let process = try ChildProcess(Executable.switchboard, [
                "run", "ingress", "--transport", "streams", "--redis", cluster.redis.urlString, "--config", config,
                "--http-port", String(port), "--instance", "ingress-1",
            ], environment: cluster.system.environment)
            let http = HTTPClient(port: port, scratch: cluster.redis.directory)
            let ready = await eventually(within: .seconds(20), every: .milliseconds(100)) {
                try await http.get("/health", timeout: 2).status == 200
            }
            if !ready { process.kill() }
            try #require(ready, "the ingress did not get ready: \(process.text(of: .standardError))")
            return (process, port)
        }
    }
}
