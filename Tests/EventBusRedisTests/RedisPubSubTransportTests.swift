import EventBus
import EventBusRedis
import RedisClient
import TestSupport
import Testing

/// `RedisPubSubTransport` against a real `redis-server`; each test starts its own.
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

    @Test("commit writes the record, applies its changes, publishes its events and logs them to their trace logs")
    func commitApplies() async throws {
        try await withRedisServer { server async throws in
            let transport = RedisPubSubTransport(url: server.url, logger: .disabled)
            let reserved = CloudEvent(source: "switchboard/stock", type: "stock.reserved", correlationID: "o-1",
                                      data: ["orderId": "o-1", "amount": 2500])
            let audit = CloudEvent(source: "switchboard/stock", type: "audit.logged", data: ["orderId": "o-1"])
            let commit = Commit(
                key: "stock:reservation:o-1", expected: nil,
                outcome: .init(record: ["state": "held", "items": "2 BOOK-1"], changes: [
                    .increment(key: "stock:levels", field: "BOOK-1", by: -2),
                    .increment(key: "stock:levels", field: "held", by: 2),
                    .prepend(key: "stock:log", value: "o-1 held", keep: 10),
                ], events: [reserved, audit])
            )
            try await withTimeout { () async throws in
                var messages = transport.watch(pattern: "*").makeAsyncIterator()
                #expect(await eventually { try await server.cli("PUBSUB", "NUMPAT") == "1" })
                #expect(try await transport.apply(commit) == .applied(fallback: nil, version: 1))

                #expect(try await transport.record("stock:reservation:o-1")
                    == StoredRecord(version: 1, fields: ["state": "held", "items": "2 BOOK-1"]))
                #expect(try await server.cli("HGET", "stock:levels", "BOOK-1") == "-2")
                #expect(try await server.cli("HGET", "stock:levels", "held") == "2")
                #expect(try await server.cli("LRANGE", "stock:log", "0", "-1") == "o-1 held")
                #expect(try await server.cli("XLEN", TraceLog.key(for: "o-1")) == "1")
                #expect(try await server.cli("XLEN", TraceLog.key(for: audit.id)) == "1")

                let first = try #require(await messages.next())
                let second = try #require(await messages.next())
                #expect(first.channel == "stock.reserved")
                #expect(try CloudEvent(decoding: first.payload, channel: first.channel).id == reserved.id)
                #expect(second.channel == "audit.logged")
                #expect(try CloudEvent(decoding: second.payload, channel: second.channel).id == audit.id)
            }
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

    @Test("commit is a conflict that hands back the record, and writes and publishes nothing, on another version")
    func commitConflicts() async throws {
        try await withRedisServer { server async throws in
            let transport = RedisPubSubTransport(url: server.url, logger: .disabled)
            let event = CloudEvent(source: "switchboard/order", type: "order.confirmed", data: ["orderId": "o-4"])
            @Sendable func commit(expected: StoredRecord?) -> Commit {
                Commit(key: "order:o-4", expected: expected, outcome: .init(
                    record: ["status": "confirmed", "customerId": "c-1"],
                    changes: [.increment(key: "order:counts", field: "confirmed", by: 1)],
                    events: [event]
                ))
            }
            try await server.cli("HSET", "order:o-4", "v", "1", "status", "reserved", "customerId", "c-1")
            let current = StoredRecord(version: 1, fields: ["status": "reserved", "customerId": "c-1"])
            try await withTimeout { () async throws in
                var messages = transport.watch(pattern: "*").makeAsyncIterator()
                #expect(await eventually { try await server.cli("PUBSUB", "NUMPAT") == "1" })

                #expect(try await transport.apply(commit(expected: nil)) == .conflict(current: current))
                let stale = StoredRecord(version: 2, fields: ["status": "pending"])
                #expect(try await transport.apply(commit(expected: stale)) == .conflict(current: current))
                #expect(try await transport.record("order:o-4") == current)
                #expect(try await server.cli("EXISTS", "order:counts") == "0")

                // Nothing was published: the next message seen is the marker sent after the conflicts.
                let marker = CloudEvent(source: "switchboard/test", type: "test.marker", data: nil)
                #expect(try await transport.publish(marker) == 1)
                #expect(await messages.next()?.channel == "test.marker")

                #expect(try await transport.apply(commit(expected: current)) == .applied(fallback: nil, version: 2))
                #expect(try await transport.record("order:o-4")
                    == StoredRecord(version: 2, fields: ["status": "confirmed", "customerId": "c-1"]))
                #expect(await messages.next()?.channel == "order.confirmed")
                // Applying it again from the same read is a conflict: a redelivered event changes nothing.
                guard case .conflict = try await transport.apply(commit(expected: current)) else {
                    Issue.record("a second commit from the same read applied")
                    return
                }
                #expect(try await server.cli("HGET", "order:counts", "confirmed") == "1")
                // A conflict on a record that does not exist hands back nothing.
                let absent = Commit(key: "order:o-none", expected: current, outcome: .init(record: ["status": "x"]))
                #expect(try await transport.apply(absent) == .conflict(current: nil))
            }
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

    @Test("conditions choose the fallback of the first one that fails", arguments: [
        (book: 5, mug: 1, chosen: nil),
        (book: 1, mug: 1, chosen: 0),
        (book: 5, mug: 0, chosen: 1),
        (book: 0, mug: 0, chosen: 0),
    ] as [(book: Int, mug: Int, chosen: Int?)])
    func commitConditions(book: Int, mug: Int, chosen: Int?) async throws {
        try await withRedisServer { server async throws in
            let transport = RedisPubSubTransport(url: server.url, logger: .disabled)
            let client = server.makeClient()
            _ = try await client.send("HSET", "stock:available", "BOOK-1", book, "MUG-1", mug)
            let commit = Commit(
                key: "stock:reservation:o-5", expected: nil,
                conditions: [
                    .init(key: "stock:available", field: "BOOK-1", atLeast: 2),
                    .init(key: "stock:available", field: "MUG-1", atLeast: 1),
                ],
                outcome: .init(record: ["status": "reserved"], changes: [
                    .increment(key: "stock:available", field: "BOOK-1", by: -2),
                    .increment(key: "stock:available", field: "MUG-1", by: -1),
                ]),
                fallbacks: [
                    .init(record: ["status": "rejected", "sku": "BOOK-1"]),
                    .init(record: ["status": "rejected", "sku": "MUG-1"]),
                ]
            )
            let result = try await transport.apply(commit)
            #expect(result == .applied(fallback: chosen, version: 1))
            #expect(try await transport.record("stock:reservation:o-5")?.fields == commit.outcome(chosenBy: chosen).record)
            let levels = try await client.send("HMGET", "stock:available", "BOOK-1", "MUG-1").array?.map(\.int)
            #expect(levels == (chosen == nil ? [book - 2, mug - 1] : [book, mug]))
        }
    }

    @Test("a condition on a missing field counts it as 0")
    func conditionOnMissingField() async throws {
        try await withRedisServer { server async throws in
            let transport = RedisPubSubTransport(url: server.url, logger: .disabled)
            let commit = Commit(
                key: "stock:reservation:o-6", expected: nil,
                conditions: [.init(key: "stock:available", field: "NONE-1", atLeast: 1)],
                outcome: .init(record: ["status": "reserved"]), fallbacks: [.init(record: ["status": "rejected"])]
            )
            #expect(try await transport.apply(commit) == .applied(fallback: 0, version: 1))
            #expect(try await transport.record("stock:reservation:o-6")?.fields == ["status": "rejected"])
        }
    }

    @Test("prepend keeps the newest `keep` entries")
    func prependKeepsNewest() async throws {
        try await withRedisServer { server async throws in
            let transport = RedisPubSubTransport(url: server.url, logger: .disabled)
            var expected: StoredRecord?
            for index in 1...5 {
                let record = ["sent": "version-\(index)"]
                let commit = Commit(key: "notification:o-7", expected: expected, outcome: .init(
                    record: record, changes: [.prepend(key: "notification:log", value: "entry-\(index)", keep: 3)]
                ))
                #expect(try await transport.apply(commit) == .applied(fallback: nil, version: index))
                expected = StoredRecord(version: index, fields: record)
            }
            #expect(try await server.cli("LRANGE", "notification:log", "0", "-1") == "entry-5\nentry-4\nentry-3")
            #expect(try await transport.record("notification:o-7") == expected)
        }
    }

    @Test("a traced event starts its chain's log with an expiry that later events keep")
    func traceLogExpires() async throws {
        try await withRedisServer { server async throws in
            let transport = RedisPubSubTransport(url: server.url, logger: .disabled)
            let created = CloudEvent(source: "switchboard/ingress", type: "order.created", correlationID: "o-9",
                                     data: ["orderId": "o-9"])
            let start = Commit(key: "order:o-9", expected: nil,
                               outcome: .init(record: ["status": "pending"], changes: [.trace(created)]))
            #expect(try await transport.apply(start) == .applied(fallback: nil, version: 1))
            let confirmed = created.caused(type: "order.confirmed", source: "switchboard/order", data: ["orderId": "o-9"])
            let next = Commit(key: "order:o-9", expected: StoredRecord(version: 1, fields: ["status": "pending"]),
                              outcome: .init(record: ["status": "confirmed"], events: [confirmed]))
            #expect(try await transport.apply(next) == .applied(fallback: nil, version: 2))
            let key = TraceLog.key(for: "o-9")
            #expect(try await server.cli("XLEN", key) == "2")
            let ttl = try #require(Int(try await server.cli("TTL", key)))
            #expect((TraceLog.retentionSeconds - 60...TraceLog.retentionSeconds).contains(ttl))
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
