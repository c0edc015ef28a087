import EventBus
import EventBusInMemory
import Synchronization
import Testing

/// The runner reads a service's record as its `Record` type once per stored version, and hands `decide` the
/// value with the stored form its commit is guarded by.
@Suite("ServiceRunner reads each stored version of a record once")
struct ServiceRunnerRecordTests {
    /// A record that counts how often it is read from stored fields.
    struct Tally: Record {
        static let reads = Atomic<Int>(0)
        var count: Int

        init(count: Int) {
            self.count = count
        }

        init(fields: RecordFields) throws(RecordError) {
            Self.reads.add(1, ordering: .relaxed)
            guard let count = try fields.integer("count") else { throw RecordError("field count is missing") }
            self.count = count
        }

        var fields: [String: String] { ["count": String(count)] }
    }

    /// Adds one to the tally of the event's chain.
    struct Counter: EventService {
        let name = "counter"
        let subscriptions = ["tick"]

        func recordKey(for event: CloudEvent) throws(CloudEventError) -> String {
            "counter:\(event.correlationID ?? "")"
        }

        func decide(_ event: CloudEvent, record: VersionedRecord<Tally>?) async throws -> Commit? {
            Commit(key: try recordKey(for: event), expected: record?.stored,
                   outcome: Commit.Outcome(record: Tally(count: (record?.value.count ?? 0) + 1).fields))
        }
    }

    @Test("commits, and a conflict with another writer, each read the version they bring once")
    func readsOncePerVersion() async throws {
        let transport = InMemoryTransport()
        let runner = ServiceRunner(service: Counter(), transport: transport, deadLetters: InMemoryDeadLetterStore(),
                                   instance: "counter-test", logger: .disabled)
        func tick() async -> ServiceRunner.Disposition {
            let event = CloudEvent(source: "test", type: "tick", correlationID: "a", data: .null)
            return await runner.handle(InboundMessage(channel: "tick", payload: event.encoded()))
        }
        let before = Tally.reads.load(ordering: .relaxed)
        for _ in 1...3 { #expect(await tick() == .applied) }
        // Versions 1 to 3, each read once as the commit that made it was asked for a follow-up.
        #expect(Tally.reads.load(ordering: .relaxed) - before == 3)

        // Another writer makes version 4: the commit decided on version 3 (its outcome read before it is sent,
        // to ask for a follow-up) conflicts, the broker's version 4 is read once, and so is the 5 it leaves.
        let key = "counter:a"
        let current = try #require(try await transport.record(key))
        let other = Commit(key: key, expected: current, outcome: Commit.Outcome(record: ["count": "10"]))
        #expect(try await transport.commit(other, acknowledging: nil, group: "counter")
            == .applied(fallback: nil, version: 4))
        #expect(await tick() == .applied)
        #expect(Tally.reads.load(ordering: .relaxed) - before == 6)
        #expect(try await transport.record(key) == StoredRecord(version: 5, fields: ["count": "11"]))
    }
}
