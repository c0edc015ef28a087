import EventBus
import Testing

/// The contract of `EventTransport`, one set of tests run against every transport: the in-memory double
/// the services' unit tests use, and Redis pub/sub and streams (each on its own `redis-server`). A service
/// test that passes in memory means something only as long as these pass everywhere.
///
/// What a commit does is written three times: the Redis Function (`CommitFunction`), the in-memory
/// transport, and here; change them together.
///
/// Serialized: each Redis case starts its own redis-server, and some thirty at once starve a small machine.
@Suite("EventTransport conformance", .serialized)
struct EventTransportConformanceTests {
    private static let created = CloudEvent(source: "switchboard/ingress", type: "order.created", correlationID: "o-1",
                                            data: ["orderId": "o-1"])

    @Test("a commit writes the record, applies its changes, emits its events and logs them", arguments: TransportKind.allCases)
    func commitApplies(kind: TransportKind) async throws {
        try await TransportHarness.with(kind) { harness async throws in
            let reserved = Self.created.caused(type: "stock.reserved", source: "switchboard/stock",
                                               data: ["orderId": "o-1"])
            let audit = CloudEvent(source: "switchboard/stock", type: "audit.logged", data: ["orderId": "o-1"])
            let commit = Commit(key: "stock:reservation:o-1", expected: nil, outcome: .init(
                record: ["status": "reserved", "items": "2 BOOK-1"],
                changes: [
                    .increment(key: "stock:item:BOOK-1", field: "available", by: -2),
                    .increment(key: "stock:item:BOOK-1", field: "reserved", by: 2),
                    .prepend(key: "stock:log", value: "o-1 reserved", keep: 10),
                ],
                events: [reserved, audit]
            ))
            #expect(try await harness.apply(commit) == .applied(fallback: nil, version: 1))
            #expect(try await harness.transport.record("stock:reservation:o-1")
                == StoredRecord(version: 1, fields: ["status": "reserved", "items": "2 BOOK-1"]))
            #expect(try await harness.field("available", of: "stock:item:BOOK-1") == -2)
            #expect(try await harness.field("reserved", of: "stock:item:BOOK-1") == 2)
            #expect(try await harness.list("stock:log") == ["o-1 reserved"])
            #expect(try await harness.emitted(on: "stock.reserved").map(\.id) == [reserved.id])
            #expect(try await harness.emitted(on: "audit.logged").map(\.id) == [audit.id])
            #expect(try await harness.trace("o-1").map(\.id) == [reserved.id])
            // An event without a correlation id starts a chain of its own.
            #expect(try await harness.trace(audit.id).map(\.id) == [audit.id])
        }
    }

    @Test("a commit on a stale version is a conflict that hands back the record and changes nothing",
          arguments: TransportKind.allCases)
    func staleVersionConflicts(kind: TransportKind) async throws {
        try await TransportHarness.with(kind) { harness async throws in
            let confirmed = Self.created.caused(type: "order.confirmed", source: "switchboard/order",
                                                data: ["orderId": "o-1"])
            @Sendable func commit(expected: StoredRecord?) -> Commit {
                Commit(key: "order:o-1", expected: expected, outcome: .init(
                    record: ["status": "confirmed"], changes: [.increment(key: "order:counts", field: "confirmed", by: 1)],
                    events: [confirmed]
                ))
            }
            let first = Commit(key: "order:o-1", expected: nil, outcome: .init(record: ["status": "pending"]))
            #expect(try await harness.apply(first) == .applied(fallback: nil, version: 1))
            let current = StoredRecord(version: 1, fields: ["status": "pending"])

            // Decided on an absent record, or on a version the record no longer has.
            #expect(try await harness.apply(commit(expected: nil)) == .conflict(current: current))
            let stale = StoredRecord(version: 2, fields: ["status": "reserved"])
            #expect(try await harness.apply(commit(expected: stale)) == .conflict(current: current))
            #expect(try await harness.transport.record("order:o-1") == current)
            #expect(try await harness.field("confirmed", of: "order:counts") == 0)
            #expect(try await harness.emitted(on: "order.confirmed").isEmpty)
            #expect(try await harness.trace("o-1").isEmpty)

            #expect(try await harness.apply(commit(expected: current)) == .applied(fallback: nil, version: 2))
            // The same decision again (a redelivered event) is a conflict: it takes effect once.
            let again = try await harness.apply(commit(expected: current))
            #expect(again == .conflict(current: StoredRecord(version: 2, fields: ["status": "confirmed"])))
            #expect(try await harness.field("confirmed", of: "order:counts") == 1)
            #expect(try await harness.emitted(on: "order.confirmed").map(\.id) == [confirmed.id])

            // A conflict on a record that does not exist hands back nothing.
            let absent = Commit(key: "order:none", expected: current, outcome: .init(record: ["status": "x"]))
            #expect(try await harness.apply(absent) == .conflict(current: nil))
            #expect(try await harness.transport.record("order:none") == nil)
        }
    }

    @Test("the fallback of the first failing condition is applied; a missing field counts as 0",
          arguments: TransportKind.allCases, [
              (book: 5, mug: 1, chosen: nil),
              (book: 1, mug: 1, chosen: 0),
              (book: 5, mug: 0, chosen: 1),
              (book: 0, mug: 0, chosen: 0),
              (book: nil, mug: 1, chosen: 0),
          ] as [(book: Int?, mug: Int, chosen: Int?)])
    func firstFailingConditionChoosesFallback(kind: TransportKind, levels: (book: Int?, mug: Int, chosen: Int?))
        async throws
    {
        try await TransportHarness.with(kind) { harness async throws in
            if let book = levels.book { try await harness.setField("BOOK-1", of: "stock:available", to: book) }
            try await harness.setField("MUG-1", of: "stock:available", to: levels.mug)
            let commit = Commit(
                key: "stock:reservation:o-2", expected: nil,
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
            #expect(try await harness.apply(commit) == .applied(fallback: levels.chosen, version: 1))
            #expect(try await harness.transport.record("stock:reservation:o-2")?.fields
                == commit.outcome(chosenBy: levels.chosen).record)
            let book = levels.book ?? 0
            let expected = levels.chosen == nil ? [book - 2, levels.mug - 1] : [book, levels.mug]
            #expect(try await [harness.field("BOOK-1", of: "stock:available"),
                               harness.field("MUG-1", of: "stock:available")] == expected)
        }
    }

    @Test("prepend keeps the newest N entries of a list", arguments: TransportKind.allCases)
    func prependKeepsNewest(kind: TransportKind) async throws {
        try await TransportHarness.with(kind) { harness async throws in
            var expected: StoredRecord?
            for index in 1...5 {
                let record = ["sent": "\(index)"]
                let commit = Commit(key: "notification:o-3", expected: expected, outcome: .init(
                    record: record, changes: [.prepend(key: "notification:customer:c-1", value: "m-\(index)", keep: 3)]
                ))
                #expect(try await harness.apply(commit) == .applied(fallback: nil, version: index))
                expected = StoredRecord(version: index, fields: record)
            }
            #expect(try await harness.list("notification:customer:c-1") == ["m-5", "m-4", "m-3"])
        }
    }

    @Test("the record becomes the outcome's fields: new and changed ones written, left-out ones removed",
          arguments: TransportKind.allCases)
    func recordBecomesOutcome(kind: TransportKind) async throws {
        try await TransportHarness.with(kind) { harness async throws in
            let first = Commit(key: "payment:o-4", expected: nil,
                               outcome: .init(record: ["status": "awaiting_amount", "card": "4242424242424242"]))
            #expect(try await harness.apply(first) == .applied(fallback: nil, version: 1))
            let read = try #require(try await harness.transport.record("payment:o-4"))
            let second = Commit(key: "payment:o-4", expected: read,
                                outcome: .init(record: ["status": "charging", "cardLast4": "4242"]))
            #expect(try await harness.apply(second) == .applied(fallback: nil, version: 2))
            #expect(try await harness.transport.record("payment:o-4")
                == StoredRecord(version: 2, fields: ["status": "charging", "cardLast4": "4242"]))
        }
    }

    @Test("a chain's first event starts its trace log with an expiry; emitted events join the log in order",
          arguments: TransportKind.allCases)
    func traceLogging(kind: TransportKind) async throws {
        try await TransportHarness.with(kind) { harness async throws in
            let start = Commit(key: "order:o-1", expected: nil,
                               outcome: .init(record: ["status": "pending"], changes: [.trace(Self.created)]))
            #expect(try await harness.apply(start) == .applied(fallback: nil, version: 1))
            let confirmed = Self.created.caused(type: "order.confirmed", source: "switchboard/order",
                                                data: ["orderId": "o-1"])
            let next = Commit(key: "order:o-1", expected: StoredRecord(version: 1, fields: ["status": "pending"]),
                              outcome: .init(record: ["status": "confirmed"], events: [confirmed]))
            #expect(try await harness.apply(next) == .applied(fallback: nil, version: 2))
            #expect(try await harness.trace("o-1").map(\.id) == [Self.created.id, confirmed.id])
            // A traced event is logged, not emitted: it came from outside.
            #expect(try await harness.emitted(on: "order.created").isEmpty)
            let expiry = try #require(try await harness.expiry(of: TraceLog.key(for: "o-1")))
            let retention = Duration.seconds(TraceLog.retentionSeconds)
            #expect(expiry > retention - .seconds(60) && expiry <= retention)
        }
    }

    @Test("a trace log that an ordinary event started expires too", arguments: TransportKind.allCases)
    func traceLogStartedByAnEmittedEventExpires(kind: TransportKind) async throws {
        try await TransportHarness.with(kind) { harness async throws in
            let reserved = CloudEvent(source: "switchboard/stock", type: "stock.reserved", correlationID: "o-8",
                                      data: ["orderId": "o-8"])
            let commit = Commit(key: "stock:reservation:o-8", expected: nil,
                                outcome: .init(record: ["status": "reserved"], events: [reserved]))
            #expect(try await harness.apply(commit) == .applied(fallback: nil, version: 1))
            let expiry = try #require(try await harness.expiry(of: TraceLog.key(for: "o-8")))
            let retention = Duration.seconds(TraceLog.retentionSeconds)
            #expect(expiry > retention - .seconds(60) && expiry <= retention)
        }
    }

    @Test("a final outcome gives its record the final-record expiry in the same step; others leave it as it was",
          arguments: TransportKind.allCases)
    func finalRecordsExpire(kind: TransportKind) async throws {
        try await TransportHarness.with(kind) { harness async throws in
            let pending = Commit(key: "order:o-6", expected: nil, outcome: .init(record: ["status": "pending"]))
            #expect(try await harness.apply(pending) == .applied(fallback: nil, version: 1))
            #expect(try await harness.expiry(of: "order:o-6") == nil)

            let read = StoredRecord(version: 1, fields: ["status": "pending"])
            let confirmed = Commit(key: "order:o-6", expected: read,
                                   outcome: .init(record: ["status": "confirmed"], final: true))
            #expect(try await harness.apply(confirmed) == .applied(fallback: nil, version: 2))
            let retention = Commit.defaultFinalRecordRetention
            let expiry = try #require(try await harness.expiry(of: "order:o-6"))
            #expect(expiry > retention - .seconds(60) && expiry <= retention)

            // The branch chosen decides: a final fallback expires its record, a final outcome not taken does not.
            let reservation = Commit(
                key: "stock:reservation:o-6", expected: nil,
                conditions: [.init(key: "stock:item:NONE-1", field: "available", atLeast: 1)],
                outcome: .init(record: ["status": "reserved"]),
                fallbacks: [.init(record: ["status": "rejected"], final: true)]
            )
            #expect(try await harness.apply(reservation) == .applied(fallback: 0, version: 1))
            #expect(try await harness.expiry(of: "stock:reservation:o-6") != nil)
            let taken = Commit(
                key: "stock:reservation:o-7", expected: nil,
                conditions: [.init(key: "stock:item:NONE-1", field: "available", atLeast: 0)],
                outcome: .init(record: ["status": "reserved"]),
                fallbacks: [.init(record: ["status": "rejected"], final: true)]
            )
            #expect(try await harness.apply(taken) == .applied(fallback: nil, version: 1))
            #expect(try await harness.expiry(of: "stock:reservation:o-7") == nil)
        }
    }

    @Test("setup never overwrites: a commit for a record that exists already changes nothing",
          arguments: TransportKind.allCases)
    func setupNeverOverwrites(kind: TransportKind) async throws {
        try await TransportHarness.with(kind) { harness async throws in
            @Sendable func seed(_ stock: Int) -> Commit {
                Commit(key: "stock:seeded:BOOK-1", expected: nil, outcome: .init(
                    record: ["stock": "\(stock)"],
                    changes: [.increment(key: "stock:item:BOOK-1", field: "available", by: stock)]
                ))
            }
            #expect(try await harness.apply(seed(10)) == .applied(fallback: nil, version: 1))
            try await harness.setField("available", of: "stock:item:BOOK-1", to: 7)
            #expect(try await harness.apply(seed(10))
                == .conflict(current: StoredRecord(version: 1, fields: ["stock": "10"])))
            #expect(try await harness.field("available", of: "stock:item:BOOK-1") == 7)
        }
    }

    @Test("a message is delivered with its count; on streams it comes back until a commit or acknowledge settles it",
          arguments: TransportKind.allCases)
    func acknowledgementAndRedelivery(kind: TransportKind) async throws {
        try await TransportHarness.with(kind) { harness async throws in
            let channel = "conformance.work"
            let group = "worker"
            var messages = harness.transport.consume(channels: [channel], group: group, consumer: "w-1")
                .makeAsyncIterator()
            try await harness.waitUntilConsuming(channel)
            let work = CloudEvent(source: "switchboard/test", type: channel, correlationID: "o-5", data: ["n": 1])
            _ = try await harness.transport.publish(work)
            let first = try #require(await messages.next())
            #expect(first.deliveryCount == 1)
            #expect(try CloudEvent(decoding: first.payload, channel: first.channel).id == work.id)

            var handled = first
            if harness.redelivers {
                // Left unacknowledged past the claim time, it is delivered again, counted.
                let again = try #require(await messages.next())
                #expect(again.deliveryID == first.deliveryID)
                #expect(again.deliveryCount == 2)
                handled = again
            }
            let commit = Commit(key: "work:o-5", expected: nil, outcome: .init(record: ["done": "1"]))
            let result = try await harness.transport.commit(commit, acknowledging: handled, group: group)
            #expect(result == .applied(fallback: nil, version: 1))
            #expect(try await harness.pending(on: channel, group: group) == 0)

            // Acknowledged without a commit (dead-lettered or ignored), a message is settled too.
            let ignored = CloudEvent(source: "switchboard/test", type: channel, data: ["n": 2])
            _ = try await harness.transport.publish(ignored)
            let second = try #require(await messages.next())
            #expect(try CloudEvent(decoding: second.payload, channel: second.channel).id == ignored.id)
            try await harness.transport.acknowledge(second, group: group)
            #expect(try await harness.pending(on: channel, group: group) == 0)

            // Settled messages are not delivered again: the next one is the marker sent after them.
            let marker = CloudEvent(source: "switchboard/test", type: channel, data: ["n": 3])
            _ = try await harness.transport.publish(marker)
            let next = try #require(await messages.next())
            #expect(try CloudEvent(decoding: next.payload, channel: next.channel).id == marker.id)
            #expect(next.deliveryCount == 1)
        }
    }
}
