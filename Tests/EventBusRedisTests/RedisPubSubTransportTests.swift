import EventBus
import EventBusRedis
import RedisClient
import TestSupport
import Testing

/// `RedisPubSubTransport` against a real `redis-server`; each test starts its own. What every transport's
/// commit does is tested once for all of them, in `EventTransportConformanceTests`; here is what is pub/sub's
/// own, and what only the Redis Function shows (it writes only changed fields, text passes through Lua).
///
/// Closures spell out `async throws` because their `try`s may all sit inside `#expect`, which the closure's
/// effect inference does not look into.
@Suite("RedisPubSubTransport against redis-server")
struct RedisPubSubTransportTests {
    @Test("a published CloudEvent is consumed intact")
    func publishConsumeRoundTrip() async throws {
        try await withRedisServer { server async throws in
            let transport = RedisPubSubTransport(url: server.url, logger: .disabled)
            let event = CloudEvent(
                source: "switchboard/test", type: "order.created", correlationID: "o-1",
                traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                data: ["orderId": "o-1", "items": [["sku": "BOOK-1", "quantity": 2]], "note": "tschüß \u{0}"]
            )
            try await withTimeout { () async throws in
                var messages = transport.consume(channels: ["order.created"], group: "order", consumer: "c-1")
                    .makeAsyncIterator()
                try await Self.waitForSubscribers(on: "order.created", count: 1, at: server)
                #expect(try await transport.publish(event) == 1)
                let message = try #require(await messages.next())
                #expect(message.channel == "order.created")
                #expect(message.deliveryCount == 1)
                let received = try CloudEvent(decoding: message.payload, channel: message.channel)
                #expect(received.id == event.id)
                #expect(received.source == event.source)
                #expect(received.type == event.type)
                #expect(received.correlationID == "o-1")
                #expect(received.traceparent == event.traceparent)
                #expect(received.data == event.data)
                #expect(abs(received.time.timeIntervalSince(event.time)) < 0.002)
            }
        }
    }

    @Test("publish returns how many subscribers received the event")
    func publishReturnsSubscriberCount() async throws {
        try await withRedisServer { server async throws in
            let transport = RedisPubSubTransport(url: server.url, logger: .disabled)
            let event = CloudEvent(source: "switchboard/test", type: "stock.reserved", data: ["orderId": "o-2"])
            #expect(try await transport.publish(event) == 0)
            try await withTimeout { () async throws in
                let first = transport.consume(channels: ["stock.reserved"], group: "order", consumer: "a")
                let second = transport.consume(channels: ["stock.reserved"], group: "payment", consumer: "b")
                try await Self.waitForSubscribers(on: "stock.reserved", count: 2, at: server)
                #expect(try await transport.publish(event) == 2)
                #expect(try await transport.publish(raw: Array("raw".utf8), on: "stock.reserved") == 2)
                var firstMessages = first.makeAsyncIterator()
                var secondMessages = second.makeAsyncIterator()
                #expect(await firstMessages.next()?.channel == "stock.reserved")
                #expect(await secondMessages.next()?.channel == "stock.reserved")
                #expect(await firstMessages.next()?.payload == Array("raw".utf8))
                #expect(await secondMessages.next()?.payload == Array("raw".utf8))
            }
        }
    }

    @Test("watch(\"*\") sees events on every channel")
    func watchSeesEverything() async throws {
        try await withRedisServer { server async throws in
            let transport = RedisPubSubTransport(url: server.url, logger: .disabled)
            try await withTimeout { () async throws in
                var messages = transport.watch(pattern: "*").makeAsyncIterator()
                #expect(await eventually { try await server.cli("PUBSUB", "NUMPAT") == "1" })
                let types = ["order.created", "payment.completed", "notification.sent"]
                for type in types {
                    let event = CloudEvent(source: "switchboard/test", type: type, data: ["orderId": "o-3"])
                    #expect(try await transport.publish(event) == 1)
                }
                var seen: [String] = []
                for _ in types {
                    let message = try #require(await messages.next())
                    seen.append(try CloudEvent(decoding: message.payload, channel: message.channel).type)
                }
                #expect(seen == types)
            }
        }
    }

    @Test("record is nil for a missing key, reads back a stored hash, and refuses a hash without a version")
    func recordReadsBack() async throws {
        try await withRedisServer { server async throws in
            let transport = RedisPubSubTransport(url: server.url, logger: .disabled)
            #expect(try await transport.record("test:record:none") == nil)
            try await server.cli("HSET", "test:record:o-1", "v", "3", "status", "reserved")
            #expect(try await transport.record("test:record:o-1")
                == StoredRecord(version: 3, fields: ["status": "reserved"]))
            try await server.cli("HSET", "test:record:o-2", "status", "reserved")
            let unversioned = try await #require(throws: EventBusError.self) {
                try await transport.record("test:record:o-2")
            }
            #expect(unversioned.code == .rejected)
            #expect(unversioned.message.contains("test:record:o-2"))
            try await server.cli("SET", "test:record:o-3", "text")
            let wrongType = try await #require(throws: EventBusError.self) {
                try await transport.record("test:record:o-3")
            }
            #expect(wrongType.code == .rejected)
        }
    }

    @Test("commit deletes keys and logs an event from outside with its card numbers masked")
    func commitDeletesAndMasksTheTrace() async throws {
        try await withRedisServer { server async throws in
            let transport = RedisPubSubTransport(url: server.url, logger: .disabled)
            try await server.cli("SET", "vault:card:tok_1", "4242424242424242")
            let created = CloudEvent(source: "redis-cli", type: "order.created", correlationID: "o-9",
                                     data: ["orderId": "o-9", "payment": ["card": "4242424242424242"]])
            let commit = Commit(key: "payment:o-9", expected: nil, outcome: .init(
                record: ["status": "completed"], changes: [.delete(key: "vault:card:tok_1"), .trace(created)]))
            #expect(try await transport.apply(commit) == .applied(fallback: nil, version: 1))
            #expect(try await server.cli("EXISTS", "vault:card:tok_1") == "0")
            let logged = try await server.cli("XRANGE", TraceLog.key(for: "o-9"), "-", "+")
            #expect(logged.contains(#""card":"************4242""#) && !logged.contains("4242424242424242"), "\(logged)")
        }
    }

    @Test("an emitted event appended to a trace log keeps the log's expiry; a traced event from outside resets it")
    func traceAppendsKeepTheExpiry() async throws {
        try await withRedisServer { server async throws in
            let transport = RedisPubSubTransport(url: server.url, logger: .disabled)
            let log = TraceLog.key(for: "o-7")
            let created = CloudEvent(source: "switchboard/test", type: "order.created", correlationID: "o-7",
                                     data: ["orderId": "o-7"])
            let start = Commit(key: "order:o-7", expected: nil,
                               outcome: .init(record: ["status": "pending"], changes: [.trace(created)]))
            #expect(try await transport.apply(start) == .applied(fallback: nil, version: 1))
            try await server.cli("EXPIRE", log, "100")
            let reserved = created.caused(type: "stock.reserved", source: "switchboard/stock", data: ["orderId": "o-7"])
            let next = Commit(key: "stock:reservation:o-7", expected: nil,
                              outcome: .init(record: ["status": "reserved"], events: [reserved]))
            #expect(try await transport.apply(next) == .applied(fallback: nil, version: 1))
            let kept = Int(try await server.cli("TTL", log)) ?? -3
            #expect((1...100).contains(kept), "TTL \(kept)")
            #expect(try await server.cli("XLEN", log) == "2")

            let again = Commit(key: "order:o-7", expected: StoredRecord(version: 1, fields: ["status": "pending"]),
                               outcome: .init(record: ["status": "pending", "note": "seen"], changes: [.trace(created)]))
            #expect(try await transport.apply(again) == .applied(fallback: nil, version: 2))
            let reset = Int(try await server.cli("TTL", log)) ?? -3
            #expect(reset > TraceLog.retentionSeconds - 60 && reset <= TraceLog.retentionSeconds, "TTL \(reset)")
        }
    }

    @Test("only the fields that changed are written, and fields the outcome leaves out are removed")
    func commitWritesChangedFields() async throws {
        try await withRedisServer { server async throws in
            let transport = RedisPubSubTransport(url: server.url, logger: .disabled)
            let first = Commit(key: "payment:o-8", expected: nil,
                               outcome: .init(record: ["status": "awaiting_amount", "card": "4242424242424242"]))
            #expect(try await transport.apply(first) == .applied(fallback: nil, version: 1))
            // A field changed by hand behind the record's back stays as it is unless the outcome changes it.
            try await server.cli("HSET", "payment:o-8", "status", "by-hand")
            let read = StoredRecord(version: 1, fields: ["status": "awaiting_amount", "card": "4242424242424242"])
            let second = Commit(key: "payment:o-8", expected: read,
                                outcome: .init(record: ["status": "awaiting_amount", "cardLast4": "4242"]))
            #expect(try await transport.apply(second) == .applied(fallback: nil, version: 2))
            #expect(try await transport.record("payment:o-8")
                == StoredRecord(version: 2, fields: ["status": "by-hand", "cardLast4": "4242"]))
        }
    }

    @Test("records and events with quotes, backslashes and non-ASCII text pass through the function unchanged")
    func commitIsTextSafe() async throws {
        try await withRedisServer { server async throws in
            let transport = RedisPubSubTransport(url: server.url, logger: .disabled)
            let text = #"{"note":"quote \" backslash \\ slash / tab \t","name":"Zoë ✓ 🚀"}"#
            let event = CloudEvent(source: "switchboard/test", type: "text.checked", data: ["text": .string(text)])
            try await withTimeout { () async throws in
                var messages = transport.watch(pattern: "text.*").makeAsyncIterator()
                #expect(await eventually { try await server.cli("PUBSUB", "NUMPAT") == "1" })
                let commit = Commit(key: "text:record", expected: nil,
                                    outcome: .init(record: ["text": text, "Zoë ✓": "line\nbreak"], events: [event]))
                #expect(try await transport.apply(commit) == .applied(fallback: nil, version: 1))
                let stored = try #require(try await transport.record("text:record"))
                #expect(stored.fields == ["text": text, "Zoë ✓": "line\nbreak"])
                let message = try #require(await messages.next())
                #expect(try CloudEvent(decoding: message.payload, channel: message.channel).data == event.data)

                let next = Commit(key: "text:record", expected: stored, outcome: .init(record: ["text": "second"]))
                #expect(try await transport.apply(next) == .applied(fallback: nil, version: 2))
                #expect(try await transport.record("text:record")?.fields == ["text": "second"])
            }
        }
    }

    @Test("an unreachable server is an unavailable bus error")
    func unreachableServer() async throws {
        let url = try RedisURL("redis://127.0.0.1:\(FreePort.next())")
        let transport = RedisPubSubTransport(url: url, logger: .disabled)
        let event = CloudEvent(source: "switchboard/test", type: "order.created", data: [:])
        let error = try await #require(throws: EventBusError.self) { try await transport.publish(event) }
        #expect(error.code == .unavailable)
    }

    /// Waits until `count` clients subscribe to `channel`: subscribing happens in the background.
    private static func waitForSubscribers(on channel: String, count: Int, at server: RedisServer) async throws {
        let reached = await eventually {
            try await server.cli("PUBSUB", "NUMSUB", channel) == "\(channel)\n\(count)"
        }
        try #require(reached, "\(count) subscriber(s) on \(channel)")
    }
}

extension RedisPubSubTransport {
    /// Applies a commit that acknowledges no message (acknowledging is a no-op on pub/sub).
    fileprivate func apply(_ commit: Commit) async throws(EventBusError) -> CommitResult {
        try await self.commit(commit, acknowledging: nil, group: "test")
    }
}
