import EventBus
import EventBusInMemory
import Testing

/// Whether a commit leaves a follow-up is asked of every record it may leave: its outcome's and each
/// fallback's. A message is acknowledged with a commit only when none of them asks for one.
@Suite("ServiceRunner asks every record a commit may leave for a follow-up")
struct ServiceRunnerFollowUpTests {
    struct Gate: Record {
        var state: String

        init(state: String) {
            self.state = state
        }

        init(fields: RecordFields) throws(RecordError) {
            state = try fields.required("state")
        }

        var fields: [String: String] { ["state": state] }
    }

    /// Passes an order when a unit is in stock (`done`); otherwise its fallback leaves an intent (`waiting`),
    /// whose follow-up settles it (`settled`).
    struct Gatekeeper: EventService {
        let name = "gate"
        let subscriptions = ["pass"]

        func decide(_ event: CloudEvent, record: VersionedRecord<Gate>?) async throws -> Commit? {
            guard record == nil else { return nil }
            return Commit(key: try recordKey(for: event), expected: nil,
                          conditions: [Commit.Condition(key: "gate:stock", field: "units", atLeast: 1)],
                          outcome: Commit.Outcome(record: Gate(state: "done").fields),
                          fallbacks: [Commit.Outcome(record: Gate(state: "waiting").fields)])
        }

        func followUp(after record: VersionedRecord<Gate>?, for event: CloudEvent) throws -> FollowUp? {
            guard let record, record.value.state == "waiting" else { return nil }
            let key = try recordKey(for: event)
            let settled = Commit.Outcome(record: Gate(state: "settled").fields)
            return FollowUp(name: "settle") { () async throws(EventBusError) in
                Commit(key: key, expected: record.stored, outcome: settled)
            }
        }

        /// One record per order (the event's correlation id).
        func recordKey(for event: CloudEvent) throws(CloudEventError) -> String {
            "gate:" + (event.correlationID ?? "")
        }
    }

    static func pass(_ order: String, on runner: ServiceRunner) async -> ServiceRunner.Disposition {
        let event = CloudEvent(source: "test", type: "pass", correlationID: order, data: .null)
        return await runner.handle(InboundMessage(channel: "pass", payload: event.encoded()))
    }

    @Test("a fallback that leaves an intent has its follow-up run and committed; an outcome that leaves none is final")
    func fallbackIntent() async throws {
        let transport = InMemoryTransport()
        let runner = ServiceRunner(service: Gatekeeper(), transport: transport, deadLetters: InMemoryDeadLetterStore(),
                                   instance: "gate-test", logger: .disabled)
        #expect(await Self.pass("a", on: runner) == .applied)
        #expect(try await transport.record("gate:a") == StoredRecord(version: 2, fields: ["state": "settled"]))

        // A unit in stock, where the condition reads it.
        let stock = Commit(key: "gate:seeded", expected: nil, outcome: Commit.Outcome(
            record: ["units": "1"], changes: [.increment(key: "gate:stock", field: "units", by: 1)]))
        _ = try await transport.commit(stock, acknowledging: nil, group: "gate")
        #expect(await Self.pass("b", on: runner) == .applied)
        #expect(try await transport.record("gate:b") == StoredRecord(version: 1, fields: ["state": "done"]))
    }
}
