import PaymentService
import RedisClient
import SagaEvents
import TestSupport
import Testing

/// The simulated provider's ledger on a private redis-server: the first answer to a key is the answer,
/// whichever client asks and however often, also after Redis restarts; `provider:{provider}:charges` holds every
/// charge made and nothing else.
@Suite struct RedisChargeLedgerTests {
    let request = ChargeRequest(card: "4242424242424242", amount: 2500, currency: "USD", idempotencyKey: "o-1")

    func charges(in redis: RedisServer) async throws -> [String] {
        try await redis.cli("XRANGE", RedisChargeLedger.chargesKey, "-", "+")
            .split(separator: "\n").map(String.init)
    }

    func length(in redis: RedisServer) async throws -> Int {
        Int(try await redis.cli("XLEN", RedisChargeLedger.chargesKey).trimmingCharacters(in: .whitespacesAndNewlines))
            ?? -1
    }

    @Test func aKeyAlreadyAnsweredGetsTheFirstAnswerAndNoNewCharge() async throws {
        try await withRedisServer { redis in
            let ledger = RedisChargeLedger(client: redis.makeClient())
            let first = try await ledger.answer(request, verdict: .approved(paymentID: "pay_first"))
            let again = try await ledger.answer(request, verdict: .approved(paymentID: "pay_second"))
            #expect(first == .approved(paymentID: "pay_first"))
            #expect(again == first)
            #expect(try await length(in: redis) == 1)
            let entry = try await charges(in: redis)
            #expect(entry.contains("o-1") && entry.contains("pay_first") && entry.contains("2500"), "\(entry)")
            let ttl = Int(try await redis.cli("TTL", RedisChargeLedger.answerKey("o-1"))
                .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            #expect((86_000...86_400).contains(ttl), "TTL \(ttl)")
        }
    }

    @Test func manyClientsAskingWithOneKeyAtOnceMakeOneCharge() async throws {
        try await withRedisServer { redis in
            let ledgers = (0..<4).map { _ in RedisChargeLedger(client: redis.makeClient()) }
            let answers = try await withThrowingTaskGroup(of: ChargeResult.self) { group in
                for attempt in 0..<40 {
                    let ledger = ledgers[attempt % ledgers.count]
                    group.addTask { [request] in
                        try await ledger.answer(request, verdict: .approved(paymentID: "pay_\(attempt)"))
                    }
                }
                return try await group.reduce(into: [ChargeResult]()) { $0.append($1) }
            }
            #expect(Set(answers.map { "\($0)" }).count == 1, "\(Set(answers.map { "\($0)" }))")
            #expect(try await length(in: redis) == 1)
        }
    }

    @Test func theLedgerOutlivesARedisRestart() async throws {
        try await withRedisServer(RedisServer.Options(appendOnly: true)) { redis in
            let ledger = RedisChargeLedger(client: redis.makeClient())
            let first = try await ledger.answer(request, verdict: .approved(paymentID: "pay_first"))
            try await redis.restart()
            let fresh = RedisChargeLedger(client: redis.makeClient())
            #expect(try await fresh.answer(request, verdict: .approved(paymentID: "pay_after")) == first)
            #expect(try await length(in: redis) == 1)
        }
    }

    @Test func aDeclineIsAnAnswerButNotACharge() async throws {
        try await withRedisServer { redis in
            let ledger = RedisChargeLedger(client: redis.makeClient())
            let declined = ChargeRequest(card: "4000000000000002", amount: 100, currency: "USD", idempotencyKey: "o-2")
            let first = try await ledger.answer(declined, verdict: .declined(.cardDeclined))
            let again = try await ledger.answer(declined, verdict: .approved(paymentID: "pay_x"))
            #expect(first == .declined(.cardDeclined))
            #expect(again == first)
            let length = try await length(in: redis)
            #expect(length == 0)
        }
    }

    @Test func voidingRefundsAChargeOnceAndNothingChargesTheKeyAgain() async throws {
        try await withRedisServer { redis in
            let ledger = RedisChargeLedger(client: redis.makeClient())
            _ = try await ledger.answer(request, verdict: .approved(paymentID: "pay_first"))
            try await ledger.void(idempotencyKey: "o-1")
            try await ledger.void(idempotencyKey: "o-1")
            let again = try await ledger.answer(request, verdict: .approved(paymentID: "pay_again"))
            #expect(again == .declined(.providerUnavailable))
            let refunds = try await redis.cli("XRANGE", RedisChargeLedger.refundsKey, "-", "+")
            #expect(refunds.components(separatedBy: "pay_first").count == 2, "\(refunds)")
            #expect(try await length(in: redis) == 1)
        }
    }

    @Test func aKeyVoidedBeforeItsRequestArrivesNeverCharges() async throws {
        try await withRedisServer { redis in
            let ledger = RedisChargeLedger(client: redis.makeClient())
            try await ledger.void(idempotencyKey: "o-1")
            let late = try await ledger.answer(request, verdict: .approved(paymentID: "pay_late"))
            #expect(late == .declined(.providerUnavailable))
            #expect(try await length(in: redis) == 0)
            let refunds = try await redis.cli("XLEN", RedisChargeLedger.refundsKey)
            #expect(refunds == "0")
        }
    }

    @Test func aKeyReusedForAnotherAmountIsRefused() async throws {
        try await withRedisServer { redis in
            let ledger = RedisChargeLedger(client: redis.makeClient())
            _ = try await ledger.answer(request, verdict: .approved(paymentID: "pay_first"))
            var other = request
            other.amount = 9999
            await #expect(throws: PaymentProviderError.self) {
                try await ledger.answer(other, verdict: .approved(paymentID: "pay_other"))
            }
            #expect(try await length(in: redis) == 1)
        }
    }

    @Test func theSimulatedProviderChargesOnceAcrossInstances() async throws {
        try await withRedisServer { redis in
            let providers = (0..<2).map { _ in
                SimulatedCardProvider(ledger: RedisChargeLedger(client: redis.makeClient()))
            }
            let first = try await providers[0].charge(card: request.card, amount: 2500, currency: "USD",
                                                      idempotencyKey: "o-1")
            let second = try await providers[1].charge(card: request.card, amount: 2500, currency: "USD",
                                                       idempotencyKey: "o-1")
            #expect(first == second)
            #expect(try await length(in: redis) == 1)
        }
    }
}
