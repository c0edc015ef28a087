import Foundation
import TestSupport
import Testing

/// Reconnects, graceful shutdown, the payment circuit breaker, health and trace, end to end.
@Suite("Operability", .serialized)
struct OperabilityTests {
    @Test("redis-server killed and restarted while orders flow: 503 at once during the outage, then all recovers")
    func redisOutage() async throws {
        let system = try await OperationsHarness.make(appendOnly: true)
        try system.start("all")
        try await system.waitUntilHealthy()
        #expect(try await system.order().json?["status"] as? String == "confirmed")

        system.redis.stop()
        for _ in 0..<3 {
            let started = ContinuousClock.now
            let reply = try await system.order(wait: 10)
            reply.expectProblem(503)
            #expect(ContinuousClock.now - started < .seconds(3), "a request during the outage must not hang")
        }
        try await system.redis.restart()
        var last: HTTPReply?
        let recovered = await eventually(within: .seconds(20), every: .milliseconds(250)) {
            last = try await system.order(wait: 5)
            return last?.json?["status"] as? String == "confirmed"
        }
        #expect(recovered, "orders did not confirm after Redis came back: \(String(describing: last))")
        await system.stop()
    }

    @Test("SIGTERM under load: exit 0 within the grace period, and on streams no order is lost")
    func gracefulShutdownUnderLoad() async throws {
        let system = try await OperationsHarness.make(transport: "streams")
        _ = try await system.redis.cli("HSET", "payment:simulator", "latencyMilliseconds", "20")
        try system.start("first")
        try await system.waitUntilHealthy()
        let ids = (1...300).map { "term-\($0)" }
        let file = system.redis.directory + "/orders.txt"
        try ids.map { id in
            #"XADD order.created * event '{"orderId":"\#(id)","customerId":"c","items":[{"sku":"BOOK-1","quantity":1}],"#
                + #""payment":{"card":"4242424242424242"}}'"#
        }.joined(separator: "\n").appending("\n").write(toFile: file, atomically: true, encoding: .utf8)
        let command = ([Executable.redisCLI] + system.redis.redisCLIArguments).joined(separator: " ")
        _ = try await ChildProcess.run("/bin/sh", ["-c", "\(command) < '\(file)' > /dev/null"])
        try await Task.sleep(for: .milliseconds(300))

        let process = try #require(system.process("first"))
        let started = ContinuousClock.now
        process.send(signal: SIGTERM)
        let termination = await process.waitForExit(timeout: .seconds(10))
        #expect(termination == .exited(0), "\(process.text(of: .standardError).suffix(1500))")
        #expect(ContinuousClock.now - started < .seconds(7), "grace period is 5 s")
        system.forget("first")

        try system.start("second")
        let allFinal = await eventually(within: .seconds(60), every: .milliseconds(250)) {
            let statuses = try await system.redis.field("status", ofEach: ids.map { "order:\($0)" })
            return statuses.filter { $0 == "confirmed" }.count == ids.count
        }
        #expect(allFinal, "every order sent before the shutdown is confirmed after the restart")
        await system.stop()
    }

    @Test("a failing provider opens the breaker (fast provider_unavailable, stock restored); recovery closes it")
    func circuitBreaker() async throws {
        let system = try await OperationsHarness.make()
        try system.start("all")
        try await system.waitUntilHealthy()
        _ = try await system.redis.cli("HSET", "payment:simulator", "failureRate", "1")
        try await Task.sleep(for: .milliseconds(1500))  // the payment service reads the knob every second

        for _ in 0..<5 {
            let reply = try await system.order(sku: "MUG-1")
            #expect(reply.json?["status"] as? String == "cancelled")
            #expect(reply.json?["reason"] as? String == "provider_unavailable")
        }
        let open = #"switchboard_circuit_breaker_state{breaker="payment-provider",instance="all",state="open"} 1"#
        #expect(try await system.http.get("/metrics").body.contains(open))
        let stockRestored = await eventually {
            try await system.http.get("/stock/MUG-1").json?["available"] as? Int == 50
        }
        #expect(stockRestored)

        _ = try await system.redis.cli("DEL", "payment:simulator")
        let recovered = await eventually(within: .seconds(15), every: .milliseconds(500)) {
            try await system.order(sku: "MUG-1").json?["status"] as? String == "confirmed"
        }
        #expect(recovered)
        let closed = #"switchboard_circuit_breaker_state{breaker="payment-provider",instance="all",state="closed"} 1"#
        #expect(try await system.http.get("/metrics").body.contains(closed))
        await system.stop()
    }

    @Test("/health and switchboard health turn degraded when a service stops, and ok when it is back")
    func healthFollowsInstances() async throws {
        let system = try await OperationsHarness.make()
        try system.start("web", services: ["ingress"])
        for service in ["order", "stock", "payment", "notification"] {
            try system.start(service, services: [service])
        }
        try await system.waitUntilHealthy()
        let cli = { () async throws -> ChildProcess.Result in
            try await ChildProcess.run(Executable.switchboard, ["health", "--redis", system.redis.urlString])
        }
        #expect(try await cli().exitCode == 0)

        let payment = try #require(system.process("payment"))
        payment.send(signal: SIGTERM)
        #expect(await payment.waitForExit(timeout: .seconds(10)) == .exited(0))
        system.forget("payment")
        var health: HTTPReply?
        let degraded = await eventually(within: .seconds(15)) {
            health = try await system.http.get("/health")
            return health?.status == 503
        }
        #expect(degraded)
        #expect(health?.json?["status"] as? String == "degraded")
        #expect(((health?.json?["services"] as? [String: Any])?["payment"] as? [String: Any])?["status"] as? String
            == "down")
        let degradedCLI = try await cli()
        #expect(degradedCLI.exitCode == 69)
        #expect(degradedCLI.standardError.contains("payment"))

        try system.start("payment", services: ["payment"])
        try await system.waitUntilHealthy()
        #expect(try await cli().exitCode == 0)
        await system.stop()
    }

    @Test("switchboard trace lists a confirmed order's chain in order; an unknown order exits 65")
    func traceOfConfirmedOrder() async throws {
        let system = try await OperationsHarness.make()
        try system.start("all")
        try await system.waitUntilHealthy()
        let reply = try await system.order()
        let id = try #require(reply.json?["orderId"] as? String)
        var trace: ChildProcess.Result?
        _ = await eventually {
            trace = try await ChildProcess.run(Executable.switchboard, ["trace", id, "--redis", system.redis.urlString])
            return trace?.standardOutput.contains("notification.sent") == true
        }
        #expect(trace?.exitCode == 0, "\(String(describing: trace))")
        let types = (trace?.standardOutput ?? "").split(separator: "\n").dropFirst().compactMap { line in
            line.split(separator: " ").first { $0.wholeMatch(of: /[a-z]+\.[a-z]+/) != nil }.map(String.init)
        }
        #expect(types == ["order.created", "stock.reserved", "payment.completed", "order.confirmed", "notification.sent"])
        let unknown = try await ChildProcess.run(Executable.switchboard, ["trace", "nope", "--redis", system.redis.urlString])
        #expect(unknown.exitCode == 65)
        await system.stop()
    }
}
