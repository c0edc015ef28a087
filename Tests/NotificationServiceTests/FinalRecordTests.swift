import EventBus
import NotificationService
import SagaFixtures
import Testing

/// A notification follows an order's final event, so its record is final at once and expires
/// (`retention.finalRecordDays`).
@Suite("NotificationService final records")
struct FinalRecordTests {
    @Test("the commit of a sent notification is final")
    func sentIsFinal() async throws {
        let service = NotificationService(inbox: InMemoryCustomerInbox())
        #expect(try await service.followUp(after: nil, for: Saga.confirmed())?.perform().outcome.isFinal == true)
        #expect(try await service.followUp(after: nil, for: Saga.cancelled())?.perform().outcome.isFinal == true)
    }
}
