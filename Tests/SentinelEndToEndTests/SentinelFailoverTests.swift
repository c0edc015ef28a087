import Foundation
import TestSupport
import Testing

/// The whole system following Redis Sentinel failovers, on the streams transport, with orders flowing over
/// HTTP: a primary, two replicas and three Sentinels (down after 1 s) of real `redis-server`s and
/// `redis-sentinel`s. Each test prints what it measured (`figures:`); the README quotes those figures.
@Suite("Sentinel failover end to end", .serialized)
struct SentinelFailoverTests {
    /// The saga's books balance: no order charged twice, and BOOK-1's stock is its initial stock less one
    /// unit per confirmed order, with nothing left reserved.
    /// Every acknowledged order ended, confirmed or cancelled, on the new primary.
    private func expectNothingLost(_ run: FailoverRun) {
        #expect(run.lost.isEmpty, "\(run.lost.count) of \(run.acknowledged) acknowledged orders lost")
        #expect(run.unfinished.isEmpty, "\(run.unfinished.count) of \(run.acknowledged) acknowledged orders not ended")
    }

    /// The process followed the new primary, said so once per switch of the Sentinels at most (switches in
    /// quick succession may be followed as one), and orders were confirmed after the failover.
    private func expectFollowed(_ system: SentinelSystem, _ run: FailoverRun) {
        #expect(run.figures.firstConfirmedAfter != nil, "no order was confirmed after the failover")
        let switches = system.deployment.switchesLogged
        #expect(switches >= 1, "the Sentinels never switched the primary")
        #expect((1...max(1, switches)).contains(system.failoversLogged),
                "\(switches) switches, followed: \(system.failoverLines)")
    }

    /// Orders the ingress answered 503 for may still be on their way: their sagas are given time to end.
    private func expectConsistent(_ system: SentinelSystem) async throws {
        var ledger = try await system.ledger()
        _ = await eventually(within: .seconds(20), every: .milliseconds(250)) {
            ledger = try await system.ledger()
            return ledger.reserved == 0 && ledger.available + ledger.confirmed == 1_000_000
        }
        #expect(ledger.chargedTwice.isEmpty, "charged twice: \(ledger.chargedTwice)")
        #expect(ledger.reserved == 0)
        #expect(ledger.available + ledger.confirmed == 1_000_000, "\(ledger)")
    }

    /// With one replica, `WAIT 1` is answered only by the replica the Sentinels promote. (With two, the other
    /// one may confirm an order to the old primary in the second before it is told to follow the new one,
    /// and that order is lost: see the README.)
    @Test("a planned failover (SENTINEL FAILOVER) with one replica: the process follows, every acknowledged order ends")
    func plannedFailover() async throws {
        try await SentinelSystem.with(replicas: 1, durableAcceptMilliseconds: 500) { system in
            let run = try await system.measure {
                try await system.deployment.failOver()
            }
            print("figures: planned failover, durable accept on: \(run.figures)")
            expectNothingLost(run)
            expectFollowed(system, run)
            try await expectConsistent(system)
        }
    }

    @Test("kill -9 of the primary with durable accept: 0 acknowledged orders lost; the old primary returns as a replica")
    func primaryKilledWithDurableAccept() async throws {
        try await SentinelSystem.with(durableAcceptMilliseconds: 500) { system in
            var killed: RedisServer?
            let run = try await system.measure {
                killed = try await system.killPrimary()
            }
            let old = try #require(killed)
            print("figures: kill -9, durable accept on: \(run.figures)")
            expectNothingLost(run)
            expectFollowed(system, run)

            // The old primary comes back, is made a replica by the Sentinels, and nothing is processed twice.
            try await old.restart()
            let demoted = await eventually(within: .seconds(30), every: .milliseconds(250)) {
                try await old.cli("ROLE").hasPrefix("slave")
            }
            #expect(demoted)
            let reply = try await system.http.post("/orders", json: #"{"customerId":"c-after","items":[{"sku":"BOOK-1","quantity":1}],"payment":{"card":"4242424242424242"}}"#, headers: ["Prefer": "wait=10"])
            #expect(reply.status == 200 && reply.body.contains("confirmed"), "\(reply)")
            try await expectConsistent(system)
        }
    }

    @Test("kill -9 of the primary without durable accept: the process follows; acknowledged orders lost are counted")
    func primaryKilledWithoutDurableAccept() async throws {
        try await SentinelSystem.with(durableAcceptMilliseconds: 0) { system in
            let run = try await system.measure {
                try await system.killPrimary()
            }
            print("figures: kill -9, durable accept off: \(run.figures); \(run.lost.count) acknowledged orders lost, "
                + "\(run.unfinished.count) left unfinished")
            // What the README promises without the setting: acknowledged orders may be lost with the primary
            // (or left half done), but the process follows, and none is charged twice.
            expectFollowed(system, run)
            try await expectConsistent(system)
        }
    }

    @Test("with every Sentinel down, commands exit 69 naming them; the running process recovers when they return")
    func sentinelsDown() async throws {
        try await SentinelSystem.with(durableAcceptMilliseconds: 0) { system in
            let deployment = system.deployment
            for sentinel in deployment.sentinels { sentinel.stop() }
            let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SWITCHBOARD_") }
            let down = try await ChildProcess.run(
                Executable.switchboard, ["dlq", "list", "--redis", deployment.urlString], environment: environment
            )
            #expect(down.exitCode == 69, "\(down)")
            for sentinel in deployment.sentinels {
                #expect(down.standardError.contains(sentinel.address), "\(down.standardError)")
            }

            for sentinel in deployment.sentinels { try await sentinel.restart() }
            let health = try await ChildProcess.run(
                Executable.switchboard, ["health", "--redis", deployment.urlString], environment: environment
            )
            #expect(health.exitCode == 0, "\(health)")
            let primary = try await deployment.primary()
            #expect(health.standardOutput.contains("primary:   127.0.0.1:\(primary.port) (role confirmed)"))
            #expect(health.standardOutput.contains("sentinels: 3 reachable"))
            let reply = try await system.http.get("/health")
            #expect(reply.status == 200 && reply.body.contains(#""roleConfirmed":true"#), "\(reply)")
        }
    }
}
