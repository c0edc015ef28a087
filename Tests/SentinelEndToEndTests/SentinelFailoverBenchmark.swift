import Foundation
import TestSupport
import Testing

/// `make bench-sentinel`: each failover scenario once, with and without durable accept, printing one table
/// row each (orders/s and p99 across the failover, time to the first confirmed order after it, acknowledged
/// orders lost). Only with `SWITCHBOARD_SENTINEL_BENCH=1`: it takes about four minutes, and it measures
/// rather than checks.
@Suite(
    "Sentinel failover benchmark", .serialized,
    .enabled(if: ProcessInfo.processInfo.environment["SWITCHBOARD_SENTINEL_BENCH"] == "1")
)
struct SentinelFailoverBenchmark {
    /// How the primary goes away.
    enum Failure: String, Sendable {
        case planned = "SENTINEL FAILOVER"
        case killed = "kill -9 of the primary"
    }

    /// One run: how the primary goes, how many replicas it has, and `http.durableAcceptMilliseconds`.
    struct Scenario: Sendable, CustomTestStringConvertible {
        var failure: Failure
        var replicas: Int
        var durableAcceptMilliseconds: Int

        var testDescription: String { "\(failure.rawValue), \(replicas) replicas, durable \(durableAcceptMilliseconds)" }
    }

    static let scenarios = [Failure.planned, .killed].flatMap { failure in
        [1, 2].flatMap { replicas in
            [0, 500].map { Scenario(failure: failure, replicas: replicas, durableAcceptMilliseconds: $0) }
        }
    }

    @Test("one failover under load", arguments: scenarios)
    func failover(_ scenario: Scenario) async throws {
        let durableAcceptMilliseconds = scenario.durableAcceptMilliseconds
        try await SentinelSystem.with(replicas: scenario.replicas, durableAcceptMilliseconds: durableAcceptMilliseconds) {
            system in
            let run = try await system.measure(before: .seconds(5), after: .seconds(10)) {
                switch scenario.failure {
                case .planned:
                    try await system.deployment.failOver()
                case .killed:
                    try await system.killPrimary()
                }
            }
            let lost = run.lost.count + run.unfinished.count
            let durable = durableAcceptMilliseconds > 0 ? "on (\(durableAcceptMilliseconds) ms)" : "off"
            print("| \(scenario.failure.rawValue) | \(scenario.replicas) | \(durable) | \(run.figures.tableCells) | \(lost) |")
            #expect(run.acknowledged > 0)
        }
    }
}
