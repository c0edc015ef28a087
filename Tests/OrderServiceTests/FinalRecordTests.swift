import EventBus
import OrderService
import SagaEvents
import SagaFixtures
import Testing

/// The order service marks the commit that makes an order final, so the order's record expires
/// (`retention.finalRecordDays`) and earlier states do not.
@Suite("OrderService final records")
struct FinalRecordTests {
    private let service = OrderService()

    /// Whether each event's commit is final, applying each to the record the previous one left.
    private func finality(of events: [CloudEvent]) async throws -> [Bool] {
        var record: VersionedRecord<OrderRecord>?
        var finals: [Bool] = []
        for event in events {
            let commit = try #require(try await service.decide(event, record: record))
            finals.append(commit.outcome.isFinal)
            record = try commit.appliedRecord()
        }
        return finals
    }

    @Test("a confirmed order's last commit is final, the pending and reserved ones are not")
    func confirmed() async throws {
        #expect(try await finality(of: [Saga.created(), Saga.reserved(), Saga.completed()]) == [false, false, true])
    }

    @Test("a cancelled order's commit is final, and so is a late event folded into it")
    func cancelled() async throws {
        #expect(try await finality(of: [Saga.created(), Saga.rejected(), Saga.failed()]) == [false, true, true])
    }
}
