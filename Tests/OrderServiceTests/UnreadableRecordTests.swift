import EventBus
import EventBusInMemory
import OrderService
import SagaEvents
import SagaFixtures
import Telemetry
import Testing

/// A stored record that cannot be read is the store's fault, not the event's: the runner dead-letters the
/// message naming the record's key and the field, counted as `cause="unreadable_record"`, apart from an
/// invalid event (`cause="invalid_event"`).
@Suite("A corrupt stored record is dead-lettered as the store's fault, not the event's")
struct UnreadableRecordTests {
    let transport = InMemoryTransport()
    let deadLetters = InMemoryDeadLetterStore()
    let metrics = MetricsRegistry()

    var runner: ServiceRunner {
        ServiceRunner(service: OrderService(), transport: transport, deadLetters: deadLetters, instance: "order-test",
                      logger: .disabled, metrics: metrics)
    }

    func deliver(_ event: CloudEvent) async -> ServiceRunner.Disposition {
        await runner.handle(InboundMessage(channel: event.type, payload: event.encoded()))
    }

    /// Prometheus text of the dead-letter counter's samples.
    var deadLetterSamples: [String] {
        MetricsSnapshot.render([(nil, metrics.snapshot())]).split(separator: "\n").map(String.init)
            .filter { $0.hasPrefix("switchboard_events_deadlettered_total{") }
    }

    @Test("a record with a status no version wrote: the reason names the key and the field, cause unreadable_record")
    func corruptRecord() async throws {
        let key = OrderKeys.order("o-1")
        let seeded = Commit(key: key, expected: nil,
                            outcome: Commit.Outcome(record: ["orderId": "o-1", "status": "lost"]))
        let result = try await transport.commit(seeded, acknowledging: nil, group: "order")
        #expect(result == .applied(fallback: nil, version: 1))

        let disposition = await deliver(try Saga.reserved())
        let reason = try #require(disposition.deadLetterReason, "expected a dead letter, got \(disposition)")
        #expect(reason.contains("its record \(key) cannot be read"))
        #expect(reason.contains("field status has an unknown value \"lost\""))
        #expect(reason.contains("not the event"))
        #expect(try await deadLetters.list(limit: 10).map(\.reason) == [reason])
        #expect(deadLetterSamples.count == 1)
        #expect(deadLetterSamples.first?.contains("cause=\"unreadable_record\"") == true)
        #expect(await transport.published.isEmpty)
    }

    @Test("an event whose data is invalid is the event's fault: cause invalid_event, the record is not blamed")
    func invalidEvent() async throws {
        let disposition = await deliver(CloudEvent.raw(EventTypes.stockReserved, .object(["orderId": .integer(7)])))
        let reason = try #require(disposition.deadLetterReason, "expected a dead letter, got \(disposition)")
        #expect(!reason.contains("record"))
        #expect(deadLetterSamples.first?.contains("cause=\"invalid_event\"") == true)
    }
}
