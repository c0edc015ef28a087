import EventBus
import EventBusInMemory
import NotificationService
import SagaEvents
import SagaFixtures
import Testing

@Suite struct NotificationServiceTests {
    let transport = InMemoryTransport()
    let deadLetters = InMemoryDeadLetterStore()
    let inbox = InMemoryCustomerInbox()

    var service: NotificationService { NotificationService(inbox: inbox) }

    func runner(_ service: NotificationService? = nil) -> ServiceRunner {
        let service = service ?? self.service
        return ServiceRunner(service: service, transport: transport, deadLetters: deadLetters, instance: "notification-test",
                             logger: .disabled)
    }

    func deliver(_ event: CloudEvent, to service: NotificationService? = nil) async -> ServiceRunner.Disposition {
        await runner(service).handle(InboundMessage(channel: event.type, payload: event.encoded()))
    }

    /// What the service does for `event` on `record`: nothing in `decide`, then the delivery step, whose
    /// commit is returned; nil when there is no step.
    func step(
        _ event: CloudEvent, record: VersionedRecord<NotificationRecord>? = nil, service: NotificationService? = nil
    ) async throws -> Commit? {
        let service = service ?? self.service
        #expect(try await service.decide(event, record: record) == nil)
        return try await service.followUp(after: record, for: event)?.perform()
    }

    func sent(in commit: Commit) throws -> (event: CloudEvent, payload: NotificationSent) {
        let events = commit.outcome.events
        try #require(events.count == 1)
        return (events[0], try events[0].decodeData(as: NotificationSent.self))
    }

    // MARK: Decisions

    @Test func subscribesToTheOrdersOutcome() {
        #expect(service.name == "notification")
        #expect(Set(service.subscriptions) == [EventTypes.orderConfirmed, EventTypes.orderCancelled])
    }

    @Test func aConfirmedOrderGetsAMessageWithTheAmount() async throws {
        let confirmed = try Saga.confirmed(amount: 1250)
        let commit = try #require(try await step(confirmed))
        let (event, payload) = try sent(in: commit)
        #expect(payload == NotificationSent(
            customerId: "c-1", orderId: "o-1", channel: .email, template: "order-confirmed",
            message: "Your order o-1 is confirmed: 12.50 USD charged. Thank you!"
        ))
        #expect(event.type == EventTypes.notificationSent)
        #expect(event.source == "switchboard/notification")
        #expect(event.correlationID == "o-1")
        #expect(event.causationID == confirmed.id)
        #expect(commit.key == NotificationKeys.order("o-1"))
        #expect(commit.expected == nil)
        #expect(commit.conditions.isEmpty)
        #expect(try NotificationRecord(fields: RecordFields(commit.outcome.record)) == NotificationRecord(sent: ["order-confirmed"]))
        // The customer's list is written by the step, not by the commit (another partition).
        #expect(commit.outcome.changes.isEmpty)
        let value = try #require(await inbox.messages(of: "c-1").first)
        let entry = try CloudEvent(decoding: Array(value.utf8), channel: EventTypes.notificationSent)
        #expect(entry.id == event.id)
        #expect(entry.data == event.data)
    }

    @Test(arguments: [
        ("out_of_stock", "an item is out of stock"),
        ("unknown_sku", "an item is not in our catalog"),
        ("invalid_order", "the order was not valid"),
        ("card_declined", "the card was declined"),
        ("insufficient_funds", "the card has insufficient funds"),
        ("invalid_card", "the card number is not valid"),
        ("provider_unavailable", "the payment provider is unavailable"),
    ])
    func aCancelledOrderGetsTheReasonInWords(code: String, words: String) async throws {
        let commit = try #require(try await step(Saga.cancelled(reason: code)))
        let (_, payload) = try sent(in: commit)
        #expect(payload.template == "order-cancelled")
        #expect(payload.message == "Your order o-1 was cancelled: \(words). You have not been charged.")
        #expect(!payload.message.contains(code))
    }

    @Test(arguments: [EventTypes.orderConfirmed, EventTypes.orderCancelled])
    func aSecondDeliveryChangesNothing(type: String) async throws {
        let event = type == EventTypes.orderConfirmed ? try Saga.confirmed() : try Saga.cancelled()
        let template = type == EventTypes.orderConfirmed ? "order-confirmed" : "order-cancelled"
        let commit = try #require(try await step(event))
        let stored = try commit.appliedRecord(as: NotificationRecord.self)
        #expect(stored.value.sent == [template])
        #expect(try await step(event, record: stored) == nil)
        var again = event
        again.id = CloudEvent.newID()
        #expect(try await step(again, record: stored) == nil)
        #expect(await inbox.messages(of: "c-1").count == 1)
    }

    @Test func theChannelIsASetting() async throws {
        let commit = try #require(try await step(Saga.confirmed(), service: NotificationService(channel: .sms, inbox: inbox)))
        #expect(try sent(in: commit).payload.channel == .sms)
    }

    @Test func aCustomersListIsInTheCustomersPartition() {
        #expect(NotificationKeys.customer("c-1") == "notification:customer:\(Partition.tag(of: "c-1")):c-1")
        #expect(NotificationKeys.delivered("c-1", order: "o-9")
            == "notification:customer:\(Partition.tag(of: "c-1")):c-1:order:o-9")
    }

    @Test func aCrashBetweenTheDeliveryAndItsCommitDeliversOnceOnRedelivery() async throws {
        let confirmed = try Saga.confirmed()
        // The first delivery's step ran, then the process died before its commit.
        _ = try await step(confirmed)
        #expect(try await transport.record(NotificationKeys.order("o-1")) == nil)
        #expect(await deliver(confirmed) == .applied)
        #expect(await inbox.messages(of: "c-1").count == 1)
        #expect(await transport.published.map(\.type) == [EventTypes.notificationSent])
        #expect(await deliver(confirmed) == .ignored)
        #expect(await inbox.messages(of: "c-1").count == 1)
    }

    @Test func eventsOfOtherTypesChangeNothing() async throws {
        let event = CloudEvent(source: "switchboard/test", type: EventTypes.stockReserved,
                               data: ["orderId": "o-1", "customerId": "c-1"])
        #expect(try await step(event) == nil)
    }

    // MARK: On the bus

    @Test func oneNotificationPerOrder() async throws {
        let confirmed = try Saga.confirmed()
        #expect(await deliver(confirmed) == .applied)
        #expect(await deliver(confirmed) == .ignored)
        async let first = deliver(confirmed)
        async let second = deliver(confirmed)
        #expect(await [first, second] == [.ignored, .ignored])

        let messages = await inbox.messages(of: "c-1")
        try #require(messages.count == 1)
        let stored = try CloudEvent(decoding: Array(messages[0].utf8), channel: EventTypes.notificationSent)
        #expect(try stored.decodeData(as: NotificationSent.self).orderId == "o-1")
        let published = await transport.published
        #expect(published.map(\.type) == [EventTypes.notificationSent])
        #expect(published.first?.id == stored.id)
        #expect(published.first?.data == stored.data)
    }

    @Test func concurrentFirstDeliveriesNotifyOnce() async throws {
        let cancelled = try Saga.cancelled()
        async let first = deliver(cancelled)
        async let second = deliver(cancelled)
        let outcomes = await [first, second]
        #expect(outcomes.filter { $0 == .applied }.count == 1)
        #expect(await inbox.messages(of: "c-1").count == 1)
        #expect(await transport.published.count == 1)
    }

    @Test func aCustomersListIsNewestFirstAndKeepsTheNewest() async throws {
        let small = InMemoryCustomerInbox(keep: 2)
        let service = NotificationService(inbox: small)
        for order in ["o-1", "o-2", "o-3"] {
            #expect(await deliver(try Saga.confirmed(order: order), to: service) == .applied)
        }
        #expect(await deliver(try Saga.confirmed(order: "o-4", customer: "c-2"), to: service) == .applied)

        let messages = await small.messages(of: "c-1")
        let orders = try messages.map {
            try CloudEvent(decoding: Array($0.utf8), channel: EventTypes.notificationSent)
                .decodeData(as: NotificationSent.self).orderId
        }
        #expect(orders == ["o-3", "o-2"])
        #expect(await small.messages(of: "c-2").count == 1)
    }

    @Test func anOrderThatIsBothConfirmedAndCancelledIsToldEach() async throws {
        #expect(await deliver(try Saga.confirmed()) == .applied)
        #expect(await deliver(try Saga.cancelled()) == .applied)
        #expect(await inbox.messages(of: "c-1").count == 2)
    }

    @Test(arguments: [
        (EventTypes.orderConfirmed, JSONValue.object(["orderId": "o-1", "amount": 1250, "currency": "USD"]),
         "data.customerId is missing"),
        (EventTypes.orderConfirmed,
         JSONValue.object(["orderId": "o-1", "customerId": "c-1", "amount": "12.50", "currency": "USD"]),
         "data.amount"),
        (EventTypes.orderCancelled, JSONValue.object(["orderId": "o-1", "customerId": "c-1"]),
         "data.reason is missing"),
        (EventTypes.orderCancelled, JSONValue.object(["customerId": "c-1", "reason": "x"]),
         "data.orderId is missing"),
    ])
    func malformedDataIsDeadLetteredWithTheFieldToBlame(type: String, data: JSONValue, reason: String) async throws {
        let event = CloudEvent(source: "switchboard/test", type: type, data: data)
        let message = InboundMessage(channel: type, payload: event.encoded())
        let disposition = await runner().handle(message)
        guard case .deadLettered(let given) = disposition else {
            Issue.record("expected a dead letter, got \(disposition)")
            return
        }
        #expect(given.contains(reason), "\(given)")
        let letter = try #require(await deadLetters.letters.first)
        #expect(letter.service == "notification")
        #expect(letter.channel == type)
        #expect(letter.payload == message.payload)
        #expect(await transport.published.isEmpty)
        #expect(await inbox.messages(of: "c-1").isEmpty)
    }

    @Test
    func anExtremeAmountIsNotifiedWithoutCrashing() async throws {
        #expect(await deliver(try Saga.confirmed(amount: .max)) == .applied)
        let message = try #require(await transport.published.first).data["message"]?.stringValue
        #expect(message?.contains("92233720368547758.07 USD") == true)
    }

    @Test
    func aNegativeAmountBreaksTheContractAndIsDeadLettered() async throws {
        #expect(await deliver(try Saga.confirmed(amount: .min))
            == .deadLettered(reason: "data.amount: must not be negative, found \(Int.min)"))
        #expect(await transport.published.isEmpty)
    }
}
