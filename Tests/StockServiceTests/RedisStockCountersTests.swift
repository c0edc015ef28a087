import EventBus
import RedisClient
import SagaEvents
import StockService
import TestSupport
import Testing

/// The stock counters' functions on a private redis-server: all or nothing, once per order, and a release
/// that gives back once and bars a later reservation.
@Suite struct RedisStockCountersTests {
    let mugs = [OrderItem(sku: "MUG-1", quantity: 2)]

    func stock(_ sku: String, in redis: RedisServer) async throws -> (available: Int, reserved: Int) {
        let client = redis.makeClient()
        let fields = try await client.send("HMGET", StockKeys.item(sku), "available", "reserved").array ?? []
        return (Int(fields.first?.string ?? "") ?? 0, Int(fields.last?.string ?? "") ?? 0)
    }

    func ttl(_ key: String, in redis: RedisServer) async throws -> Int {
        Int(try await redis.cli("TTL", key).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -3
    }

    func seed(_ redis: RedisServer, mugs: Int = 50, books: Int = 10) async throws {
        _ = try await redis.cli("HSET", StockKeys.item("MUG-1"), "available", "\(mugs)", "reserved", "0")
        _ = try await redis.cli("HSET", StockKeys.item("BOOK-1"), "available", "\(books)", "reserved", "0")
    }

    /// Runs `body` with counters (final answers kept 1000 s) on a fresh server with 50 mugs and 10 books.
    func withCounters(_ body: (RedisStockCounters, RedisServer) async throws -> Void) async throws {
        try await withRedisServer { redis async throws in
            try await seed(redis)
            try await body(RedisStockCounters(client: redis.makeClient(), retention: .seconds(1000)), redis)
        }
    }

    @Test func aReservationTakesEveryLineOnceAndStoresItsAnswer() async throws {
        try await withCounters { counters, redis async throws in
            let items = mugs + [OrderItem(sku: "BOOK-1", quantity: 3)]
            #expect(try await counters.reserve(orderID: "o-1", items: items) == .reserved(items))
            #expect(try await counters.reserve(orderID: "o-1", items: items) == .reserved(items))
            #expect(try await stock("MUG-1", in: redis) == (48, 2))
            #expect(try await stock("BOOK-1", in: redis) == (7, 3))
            // A reservation in flight is kept as long as the order's record: no expiry.
            #expect(try await ttl(StockKeys.answer("o-1"), in: redis) == -1)
        }
    }

    @Test func aReservationIsAllOrNothingAndItsRejectionIsKept() async throws {
        try await withCounters { counters, redis async throws in
            let items = [OrderItem(sku: "BOOK-1", quantity: 1), OrderItem(sku: "MUG-1", quantity: 51)]
            #expect(try await counters.reserve(orderID: "o-1", items: items) == .rejected(sku: "MUG-1"))
            #expect(try await stock("MUG-1", in: redis) == (50, 0))
            #expect(try await stock("BOOK-1", in: redis) == (10, 0))
            _ = try await redis.cli("HSET", StockKeys.item("MUG-1"), "available", "100")
            #expect(try await counters.reserve(orderID: "o-1", items: items) == .rejected(sku: "MUG-1"))
            #expect(try await stock("MUG-1", in: redis) == (100, 0))
            #expect((900...1000).contains(try await ttl(StockKeys.answer("o-1"), in: redis)))
        }
    }

    @Test func aReleaseGivesBackOnceAndASaleAfterItMovesNothing() async throws {
        try await withCounters { counters, redis async throws in
            _ = try await counters.reserve(orderID: "o-1", items: mugs)
            #expect(try await counters.release(orderID: "o-1") == .released(mugs))
            #expect(try await counters.release(orderID: "o-1") == .released(mugs))
            #expect(try await counters.sell(orderID: "o-1") == .released(mugs))
            #expect(try await counters.reserve(orderID: "o-1", items: mugs) == .released(mugs))
            #expect(try await stock("MUG-1", in: redis) == (50, 0))
            #expect((900...1000).contains(try await ttl(StockKeys.answer("o-1"), in: redis)))
        }
    }

    @Test func aReleaseBeforeTheReservationBarsIt() async throws {
        try await withCounters { counters, redis async throws in
            #expect(try await counters.release(orderID: "o-1") == .cancelled)
            #expect(try await counters.reserve(orderID: "o-1", items: mugs) == .cancelled)
            #expect(try await stock("MUG-1", in: redis) == (50, 0))
        }
    }

    @Test func aSaleTakesTheUnitsOutOfReservedOnce() async throws {
        try await withCounters { counters, redis async throws in
            #expect(try await counters.sell(orderID: "o-1") == .unknown)
            _ = try await counters.reserve(orderID: "o-1", items: mugs)
            #expect(try await counters.sell(orderID: "o-1") == .sold(mugs))
            #expect(try await counters.sell(orderID: "o-1") == .sold(mugs))
            #expect(try await counters.release(orderID: "o-1") == .sold(mugs))
            #expect(try await stock("MUG-1", in: redis) == (48, 0))
        }
    }

    @Test func twoHundredOrdersForFiftyMugsAskedTwiceEachReserveExactlyFifty() async throws {
        try await withRedisServer { redis async throws in
            try await seed(redis)
            let clients = (0..<4).map { _ in RedisStockCounters(client: redis.makeClient()) }
            let answers = try await withThrowingTaskGroup(of: (String, StockAnswer).self) { group in
                for index in 0..<400 {
                    let order = "o-\(index % 200)"
                    group.addTask {
                        (order, try await clients[index % 4].reserve(orderID: order, items: [OrderItem(sku: "MUG-1", quantity: 1)]))
                    }
                }
                var answers: [String: [StockAnswer]] = [:]
                for try await (order, answer) in group { answers[order, default: []].append(answer) }
                return answers
            }
            #expect(answers.count == 200)
            #expect(answers.values.allSatisfy { $0.count == 2 && $0[0] == $0[1] }, "an order got two different answers")
            let reserved = answers.values.filter { $0[0] == .reserved([OrderItem(sku: "MUG-1", quantity: 1)]) }
            #expect(reserved.count == 50)
            #expect(answers.values.filter { $0[0] == .rejected(sku: "MUG-1") }.count == 150)
            #expect(try await stock("MUG-1", in: redis) == (0, 50))
        }
    }
}
