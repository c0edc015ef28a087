import EventBus
@testable import EventBusRedis
import RedisClient
import TestSupport
import Testing

/// What only the streams transport does, against a real `redis-server` each test starts: its commit
/// acknowledges the entry and adds the events as stream entries, groups come back after `NOGROUP`, a dead
/// consumer's entries are claimed, and the trimmer never drops an entry a group still needs. (The contract
/// every transport keeps is the conformance suite's.)
///
/// Closures spell out `async throws` because their `try`s may all sit inside `#expect`.
@Suite("RedisStreamsTransport against redis-server")
struct RedisStreamsTransportTests {
    /// Short blocks and claims, so the tests move fast; nothing here measures time.
    private static let configuration = StreamsConfiguration(
        batchSize: 10, block: .milliseconds(100), claimIdle: .milliseconds(300)
    )

    @Test("a commit acknowledges its entry and adds its events to their streams; a conflict does neither")
    func commitAcknowledges() async throws {
        try await Self.withTransport { server, transport async throws in
            let created = CloudEvent(source: "switchboard/test", type: "order.created", data: ["orderId": "o-1"])
            _ = try await transport.publish(created)
            var messages = transport.messages(of: "order.created", group: "stock", consumer: "s-1")
            let message = try #require(await messages.next())
            #expect(message.deliveryID != nil)
            #expect(try await Self.pendingCount("order.created", group: "stock", at: server) == 1)

            let reserved = CloudEvent(source: "switchboard/stock", type: "stock.reserved", correlationID: "o-1",
                                      data: ["orderId": "o-1"])
            let commit = Commit(key: "stock:reservation:o-1", expected: nil,
                                outcome: .init(record: ["state": "held"], events: [reserved]))
            // A stale read: nothing is written, added or acknowledged.
            let stale = Commit(key: "stock:reservation:o-1", expected: StoredRecord(version: 3, fields: [:]),
                               outcome: .init(record: ["state": "held"], events: [reserved]))
            #expect(try await transport.commit(stale, acknowledging: message, group: "stock")
                == .conflict(current: nil))
            #expect(try await server.cli("XLEN", "stock.reserved") == "0")
            #expect(try await Self.pendingCount("order.created", group: "stock", at: server) == 1)

            #expect(try await transport.commit(commit, acknowledging: message, group: "stock")
                == .applied(fallback: nil, version: 1))
            #expect(try await Self.pendingCount("order.created", group: "stock", at: server) == 0)
            let added = try await server.cli("XRANGE", "stock.reserved", "-", "+")
            #expect(added.contains(reserved.id), "stock.reserved holds \(added)")
            #expect(try await server.cli("XLEN", "stock.reserved") == "1")
        }
    }

    @Test("a stream deleted under a running consumer: its group is made again and new entries arrive")
    func groupRecreatedAfterNoGroup() async throws {
        try await Self.withTransport { server, transport async throws in
            var messages = transport.messages(of: "t.deleted", consumer: "c-1")
            try await server.cli("XADD", "t.deleted", "*", "event", "first")
            let first = try #require(await messages.next())
            #expect(first.payload == Array("first".utf8))
            try await transport.acknowledge(first, group: "g")

            try await server.cli("DEL", "t.deleted")
            // Added without the group: the next read answers NOGROUP until the group is made again.
            try await server.cli("XADD", "t.deleted", "*", "event", "second")
            let next = try #require(await messages.next())
            #expect(next.payload == Array("second".utf8))
            #expect(try await server.cli("XINFO", "GROUPS", "t.deleted").contains("g"))
        }
    }

    @Test("an entry a consumer read and never acknowledged is claimed by another after claimIdle, counted twice")
    func abandonedEntryClaimed() async throws {
        try await Self.withTransport { server, transport async throws in
            var first = transport.messages(of: "t.claim", consumer: "dead")
            try await server.cli("XADD", "t.claim", "*", "event", "abandoned")
            let taken = try #require(await first.next())
            #expect(taken.deliveryCount == 1)
            // `dead` stops reading and never acknowledges; `alive` claims the entry once it idles.
            var second = transport.messages(of: "t.claim", consumer: "alive")
            let claimed = try #require(await second.next())
            #expect(claimed.deliveryID == taken.deliveryID)
            #expect(claimed.payload == Array("abandoned".utf8))
            #expect(claimed.deliveryCount == 2)
            let owners = try await server.cli("XPENDING", "t.claim", "g", "-", "+", "10")
            #expect(owners.contains("alive") && !owners.contains("dead"), "\(owners)")
        }
    }

    @Test("the trimmer leaves a stream at or under the limit alone and trims one past it, by length without groups")
    func trimsOncePastTheLimit() async throws {
        try await withRedisServer { server async throws in
            // Small radix-tree nodes, so approximate trimming (`~`) can cut small streams.
            try await server.cli("CONFIG", "SET", "stream-node-max-entries", "5")
            let client = RedisClient(url: server.url, logger: .disabled)
            try await Self.add(20, to: "t.length", at: server)
            #expect(try await StreamTrimmer.trim(["t.length"], maximumLength: 20, on: client) == 0)
            #expect(try await server.cli("XLEN", "t.length") == "20")

            try await Self.add(80, to: "t.length", at: server)
            let removed = try await StreamTrimmer.trim(["t.length"], maximumLength: 20, on: client)
            let left = try #require(Int(try await server.cli("XLEN", "t.length")))
            #expect(removed == 100 - left)
            // Whole nodes go: at least the limit stays, and less than a node more.
            #expect((20..<25).contains(left), "\(left) entries left of 100, limit 20")
        }
    }

    @Test("the trimmer never removes an entry pending with a consumer or not yet delivered to some group")
    func neverTrimsPendingEntries() async throws {
        try await withRedisServer { server async throws in
            try await server.cli("CONFIG", "SET", "stream-node-max-entries", "5")
            let client = RedisClient(url: server.url, logger: .disabled)
            try await server.cli("XGROUP", "CREATE", "t.pending", "g", "0", "MKSTREAM")
            try await Self.add(100, to: "t.pending", at: server)
            // 30 delivered to `g`, the first 10 of them acknowledged: entries 11 to 30 are pending.
            let delivered = try await server.cli("XREADGROUP", "GROUP", "g", "c", "COUNT", "30", "STREAMS",
                                                 "t.pending", ">")
            let ids = delivered.split(separator: "\n").map(String.init).filter { $0.wholeMatch(of: /\d+-\d+/) != nil }
            try #require(ids.count == 30, "\(delivered)")
            try await server.cli(["XACK", "t.pending", "g"] + ids.prefix(10))
            let pending = Array(ids[10...])

            // A second group made from the start has read nothing: every entry is still to come for it.
            try await server.cli("XGROUP", "CREATE", "t.pending", "late", "0")
            #expect(try await StreamTrimmer.trim(["t.pending"], maximumLength: 5, on: client) == 0)
            #expect(try await server.cli("XLEN", "t.pending") == "100")

            try await server.cli("XGROUP", "DESTROY", "t.pending", "late")
            let removed = try await StreamTrimmer.trim(["t.pending"], maximumLength: 5, on: client)
            #expect(removed > 0, "the 10 acknowledged entries could go")
            #expect(removed <= 10, "removed \(removed): more than the acknowledged entries")
            let kept = try await server.cli("XRANGE", "t.pending", pending.first!, pending.last!)
            #expect(pending.allSatisfy { kept.contains($0) }, "a pending entry was trimmed")
            #expect(try await server.cli("XLEN", "t.pending") == String(100 - removed))
        }
    }

    // MARK: - Helpers

    /// Starts a server and a transport on it, and runs `body` within the default test timeout.
    private static func withTransport(
        _ body: @escaping @Sendable (RedisServer, RedisStreamsTransport) async throws -> Void
    ) async throws {
        try await withRedisServer { server async throws in
            let transport = RedisStreamsTransport(url: server.url, configuration: configuration, logger: .disabled)
            try await withTimeout { () async throws in try await body(server, transport) }
        }
    }

    /// How many entries of `stream` are pending in `group`.
    private static func pendingCount(_ stream: String, group: String, at server: RedisServer) async throws -> Int {
        let summary = try await server.cli("XPENDING", stream, group)
        return Int(summary.split(separator: "\n").first ?? "") ?? -1
    }

    /// Adds `count` entries to `stream` with one `redis-cli` (a Lua loop), so they fill its nodes in order.
    private static func add(_ count: Int, to stream: String, at server: RedisServer) async throws {
        try await server.cli("EVAL", "for i = 1, tonumber(ARGV[1]) do redis.call('XADD', KEYS[1], '*', 'event', i) end",
                             "1", stream, String(count))
    }
}

extension RedisStreamsTransport {
    /// The messages of one stream for one consumer of `group`.
    fileprivate func messages(of stream: String, group: String = "g", consumer: String)
        -> InboundMessages.Iterator
    {
        consume(channels: [stream], group: group, consumer: consumer).makeAsyncIterator()
    }
}
