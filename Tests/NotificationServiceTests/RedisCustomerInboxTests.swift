import NotificationService
import RedisClient
import TestSupport
import Testing

/// The customer's inbox on a private redis-server: a message once per order and template, newest first,
/// the newest `keep` kept, the order's marker expiring.
@Suite struct RedisCustomerInboxTests {
    func messages(of customer: String, in redis: RedisServer) async throws -> [String] {
        try await redis.makeClient().send("LRANGE", NotificationKeys.customer(customer), 0, -1).array?
            .compactMap(\.string) ?? []
    }

    @Test func aMessageIsDeliveredOncePerOrderAndTemplate() async throws {
        try await withRedisServer { redis async throws in
            let inbox = RedisCustomerInbox(client: redis.makeClient(), retention: .seconds(1000))
            #expect(try await inbox.deliver("confirmed o-1", to: "c-1", order: "o-1", template: "order-confirmed"))
            #expect(try await !inbox.deliver("confirmed o-1 again", to: "c-1", order: "o-1", template: "order-confirmed"))
            #expect(try await inbox.deliver("cancelled o-1", to: "c-1", order: "o-1", template: "order-cancelled"))
            #expect(try await inbox.deliver("confirmed o-2", to: "c-1", order: "o-2", template: "order-confirmed"))
            #expect(try await messages(of: "c-1", in: redis) == ["confirmed o-2", "cancelled o-1", "confirmed o-1"])
            let ttl = Int(try await redis.cli("TTL", NotificationKeys.delivered("c-1", order: "o-1"))
                .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            #expect((900...1000).contains(ttl), "TTL \(ttl)")
            let listTTL = try await redis.cli("TTL", NotificationKeys.customer("c-1"))
            #expect(listTTL.trimmingCharacters(in: .whitespacesAndNewlines) == "-1")
        }
    }

    @Test func theListKeepsTheNewestMessages() async throws {
        try await withRedisServer { redis async throws in
            let inbox = RedisCustomerInbox(client: redis.makeClient(), keep: 2)
            for order in ["o-1", "o-2", "o-3"] {
                #expect(try await inbox.deliver(order, to: "c-1", order: order, template: "order-confirmed"))
            }
            #expect(try await messages(of: "c-1", in: redis) == ["o-3", "o-2"])
        }
    }

    @Test func concurrentDeliveriesOfOneMessageAddItOnce() async throws {
        try await withRedisServer { redis async throws in
            let inboxes = (0..<4).map { _ in RedisCustomerInbox(client: redis.makeClient()) }
            let added = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<20 {
                    group.addTask {
                        try await inboxes[index % 4].deliver("m", to: "c-1", order: "o-1", template: "order-confirmed")
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(added == 1)
            #expect(try await messages(of: "c-1", in: redis) == ["m"])
        }
    }
}
