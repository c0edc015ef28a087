import Foundation
import TestSupport
import Testing

extension IngressEndToEndTests {
    /// Bad bytes and slow clients on raw TCP connections neither crash nor stall the ingress.
    @Suite("Robustness")
    struct RobustnessTests {
        @Test("garbage bytes and truncated requests are refused, and the ingress goes on answering")
        func garbageAndTruncatedRequests() async throws {
            try await IngressCluster.run { cluster in
                var binary: [UInt8] = [0x00, 0xff, 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]
                var generator = SystemRandomNumberGenerator()
                binary += (0..<2048).map { _ in UInt8.random(in: 0...255, using: &generator) }
                let huge = String(repeating: "h", count: 300_000)
                let garbage: [[UInt8]] = [
                    binary,
                    Array("GARBAGE\r\n\r\n".utf8),
                    Array("GET /health HTTP/9.9\r\nHost: x\r\n\r\n".utf8),
                    Array("GET /health HTTP/1.1\r\nHost: x\r\nX-Huge: \(huge)\r\n\r\n".utf8),
                ]
                var connections: [RawConnection] = []
                for bytes in garbage {
                    let connection = try RawConnection(port: cluster.port)
                    try? connection.send(bytes)  // the server may close before it has read everything
                    connections.append(connection)
                }
                for (index, connection) in connections.enumerated() {
                    let outcome = await connection.read(for: .seconds(2))
                    // Refused (an error status, or the connection closed), or left to time out: never served.
                    if let status = outcome.status {
                        #expect(status >= 400, "garbage \(index) answered \(outcome.text.prefix(200))")
                    } else {
                        #expect(outcome.bytes.isEmpty, "garbage \(index) answered \(outcome.text.prefix(200))")
                    }
                }

                // Headers without the blank line that ends them: not a request yet, so no answer.
                let headersOnly = try RawConnection(port: cluster.port)
                try headersOnly.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                headersOnly.shutdownWriting()
                // A body shorter than its Content-Length: not an order.
                let shortBody = try RawConnection(port: cluster.port)
                try shortBody.send("POST /orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 400\r\n\r\n" + IngressCluster.order())
                shortBody.shutdownWriting()
                for connection in [headersOnly, shortBody] {
                    let outcome = await connection.read(for: .seconds(1))
                    #expect(outcome.status.map { $0 >= 400 } ?? outcome.bytes.isEmpty, "\(outcome.text)")
                    connection.close()
                }
                connections.forEach { $0.close() }

                #expect(cluster.isRunning, "the ingress died: \(cluster.log)")
                // The deadline is curl's: generous, so a loaded machine does not fail the test; the time is printed.
                let health = try await cluster.http.exchange("GET", "/health", timeout: 15)
                #expect(health.reply?.status == 200)
                print("/health after garbage and truncated requests: \(health.elapsed)")
                // A well-formed request on a raw connection is still served.
                let plain = try RawConnection(port: cluster.port)
                try plain.send("GET /stock/MUG-1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                let outcome = await plain.read(for: .seconds(5))
                #expect(outcome.status == 200, "\(outcome.text)")
                #expect(outcome.closed)

                try await cluster.settle()
                #expect(cluster.events(on: "order.created").isEmpty, "\(cluster.published())")
            }
        }

        @Test("200 connections stalled halfway through a request line do not keep others from being served")
        func stalledConnections() async throws {
            try await IngressCluster.run { cluster in
                var stalled: [RawConnection] = []
                for _ in 0..<200 {
                    let connection = try RawConnection(port: cluster.port)
                    try connection.send("GET /hea")
                    stalled.append(connection)
                }

                // Answered at all (curl's deadline, generous) is the oracle: a server blocked by the stalled
                // clients would never answer. The times are printed, not asserted.
                let health = try await cluster.http.exchange("GET", "/health", timeout: 15)
                #expect(health.reply?.status == 200, "\(String(describing: health.reply))")
                print("/health beside 200 stalled clients: \(health.elapsed)")
                let order = try await cluster.http.exchange("POST", "/orders",
                                                            headers: ["Content-Type": "application/json",
                                                                      "Prefer": "wait=10"],
                                                            body: IngressCluster.order())
                #expect(order.reply?.json?["status"] as? String == "confirmed", "\(String(describing: order.reply))")
                print("an order beside 200 stalled clients: \(order.elapsed)")

                // None of them was answered: half a request line is not a request.
                var outcomes = stalled.map { _ in RawConnection.Outcome(bytes: [], closed: false) }
                for index in stalled.indices { _ = stalled[index].poll(into: &outcomes[index]) }
                #expect(outcomes.allSatisfy { $0.bytes.isEmpty })
                stalled.forEach { $0.close() }

                #expect(cluster.isRunning, "the ingress died: \(cluster.log)")
                #expect(try await cluster.http.get("/health").status == 200)
            }
        }

        @Test("a connection that stalls is closed by the server once it has been idle too long")
        func idleConnectionIsClosed() async throws {
            try await IngressCluster.run { cluster in
                let stalled = try RawConnection(port: cluster.port)
                try stalled.send("POST /orders HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                // http.idleTimeoutSeconds is 10 by default (the test's settings leave it).
                let outcome = await stalled.read(for: .seconds(25))
                #expect(outcome.closed, "the server kept a stalled connection open for 25 s")
                #expect(outcome.status.map { $0 >= 400 } ?? outcome.bytes.isEmpty, "\(outcome.text)")
                #expect(try await cluster.http.get("/health").status == 200)
            }
        }
    }
}
