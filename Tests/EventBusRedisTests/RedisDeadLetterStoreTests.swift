import EventBus
import EventBusRedis
import Foundation
import RedisClient
import TestSupport
import Testing

/// `RedisDeadLetterStore` against a real `redis-server`; each test starts its own.
///
/// Closures spell out `async throws` because their `try`s may all sit inside `#expect`, which the closure's
/// effect inference does not look into.
@Suite("RedisDeadLetterStore against redis-server")
struct RedisDeadLetterStoreTests {
    @Test("a dead letter with a binary payload is added, listed and removed")
    func addListRemove() async throws {
        try await withRedisServer { server async throws in
            let store = RedisDeadLetterStore(client: server.makeClient())
            let payload: [UInt8] = Array("not json: ".utf8) + (0...255).map(UInt8.init)
            let time = Date(timeIntervalSince1970: 1_800_000_000.123)
            let letter = DeadLetter(channel: "order.created", service: "stock",
                                    reason: "message is not valid JSON", payload: payload, time: time)
            #expect(try await store.list(limit: 10).isEmpty)
            let id = try await store.add(letter)
            #expect(!id.isEmpty)

            let listed = try await store.list(limit: 10)
            try #require(listed.count == 1)
            let stored = listed[0]
            #expect(stored.id == id)
            #expect(stored.channel == "order.created")
            #expect(stored.service == "stock")
            #expect(stored.reason == "message is not valid JSON")
            #expect(stored.payload == payload)
            #expect(abs(stored.time.timeIntervalSince(time)) < 0.002)

            // `redis-cli XRANGE switchboard:deadletters - +` shows it too.
            let shown = try await server.cli("XRANGE", RedisDeadLetterStore.defaultKey, "-", "+")
            #expect(shown.contains(id))
            #expect(shown.contains("order.created"))

            #expect(try await store.remove(ids: [id]) == 1)
            #expect(try await store.remove(ids: [id]) == 0)
            #expect(try await store.remove(ids: []) == 0)
            #expect(try await store.list(limit: 10).isEmpty)
        }
    }

    @Test("list returns the oldest first, at most `limit`")
    func listOldestFirst() async throws {
        try await withRedisServer { server async throws in
            let store = RedisDeadLetterStore(client: server.makeClient(), key: "test:dead")
            var ids: [String] = []
            for index in 1...5 {
                let letter = DeadLetter(channel: "c-\(index)", service: "order", reason: "r", payload: [UInt8(index)])
                ids.append(try await store.add(letter))
            }
            let listed = try await store.list(limit: 3)
            #expect(listed.map(\.id) == Array(ids.prefix(3)))
            #expect(listed.map(\.channel) == ["c-1", "c-2", "c-3"])
            #expect(try await store.list(limit: 100).count == 5)
            #expect(try await server.cli("EXISTS", RedisDeadLetterStore.defaultKey) == "0")
        }
    }

    @Test("the stream is trimmed to about its capacity")
    func trimmedToCapacity() async throws {
        // Small stream nodes let approximate trimming (`MAXLEN ~`) work at this small scale.
        let options = RedisServer.Options(extraArguments: ["--stream-node-max-entries", "10"])
        try await withRedisServer(options) { server async throws in
            let store = RedisDeadLetterStore(client: server.makeClient(), capacity: 20)
            var ids: [String] = []
            for index in 1...200 {
                let letter = DeadLetter(channel: "order.created", service: "stock", reason: "bad \(index)",
                                        payload: Array("payload \(index)".utf8))
                ids.append(try await store.add(letter))
            }
            let length = try #require(Int(try await server.cli("XLEN", RedisDeadLetterStore.defaultKey)))
            #expect((20...30).contains(length), "length \(length) for capacity 20")
            let listed = try await store.list(limit: 1_000)
            #expect(listed.count == length)
            #expect(listed.last?.id == ids.last)
            #expect(listed.last?.reason == "bad 200")
            #expect(listed.first?.id != ids.first)
        }
    }

    @Test("an unreachable server is an unavailable bus error")
    func unreachableServer() async throws {
        let client = RedisClient(url: try RedisURL("redis://127.0.0.1:\(FreePort.next())"), logger: .disabled)
        let store = RedisDeadLetterStore(client: client)
        let error = try await #require(throws: EventBusError.self) { try await store.list(limit: 1) }
        #expect(error.code == .unavailable)
    }
}
