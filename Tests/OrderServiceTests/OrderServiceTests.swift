import EventBus
import EventBusInMemory
import OrderService
import SagaEvents
import SagaFixtures
import Testing

@Suite struct OrderServiceTests {
    let transport = InMemoryTransport()
    let deadLetters = InMemoryDeadLetterStore()
    let service = OrderService()

    var runner: ServiceRunner {
        ServiceRunner(service: service, transport: transport, deadLetters: deadLetters, instance: "order-test",
                      logger: .disabled)
    }

    func deliver(_ event: CloudEvent) async -> ServiceRunner.Disposition {
        await runner.handle(InboundMessage(channel: event.type, payload: event.encoded()))
    }

    func published(_ type: String) async -> [CloudEvent] {
        await transport.published.filter { $0.type == type }
    }

    func order(_ id: String = "o-1") async throws -> OrderRecord? {
        try OrderRecord(stored: try await transport.record(OrderKeys.order(id)))
    }

    @Test func subscribesToEveryEventThatDecidesAnOrder() {
        #expect(service.name == "order")
        #expect(Set(service.subscriptions) == [
            EventTypes.orderCreated, EventTypes.stockReserved, EventTypes.stockRejected,
            EventTypes.paymentCompleted, EventTypes.paymentFailed,
        ])
    }

    @Test func aFullFlowConfirmsTheOrderOnce() async throws {
        let events = [try Saga.created(), try Saga.reserved(), try Saga.completed()]
        #expect(try await order() == nil)
        #expect(await deliver(events[0]) == .applied)
        #expect(try await order()?.status == .pending)
        #expect(await deliver(events[1]) == .applied)
        #expect(try await order()?.status == .reserved)
        #expect(await transport.published.isEmpty)
        #expect(await deliver(events[2]) == .applied)

        let confirmed = await published(EventTypes.orderConfirmed)
        try #require(confirmed.count == 1)
        #expect(await transport.published.count == 1)
        #expect(try confirmed[0].decodeData(as: OrderConfirmed.self)
            == OrderConfirmed(orderId: "o-1", customerId: "c-1", amount: 2500, currency: "USD"))
        #expect(confirmed[0].causationID == events[2].id)
        #expect(confirmed[0].correlationID == "o-1")

        let record = try #require(try await order())
        #expect(record.status == .confirmed)
        #expect(record.customerId == "c-1")
        #expect(record.seen == events.map(\.type) + [EventTypes.orderConfirmed])
        // The order service logs the order.created that begins the chain and what it emits; the events of
        // the other services are logged by their own commits, which do not run here.
        let history = OrderHistory.entries(from: await transport.trace("o-1"))
        #expect(history.map(\.id) == [events[0].id, confirmed[0].id])
    }

    @Test func everyRedeliveryIsIgnored() async throws {
        let events = [try Saga.created(), try Saga.reserved(), try Saga.completed()]
        for event in events {
            #expect(await deliver(event) == .applied)
            #expect(await deliver(event) == .ignored)
        }
        let before = try await transport.record(OrderKeys.order("o-1"))
        for event in events {
            #expect(await deliver(event) == .ignored)
        }
        #expect(try await transport.record(OrderKeys.order("o-1")) == before)
        #expect(await published(EventTypes.orderConfirmed).count == 1)
    }

    @Test func aRejectedOrderIsCancelledWithTheReason() async throws {
        #expect(await deliver(try Saga.created()) == .applied)
        #expect(await deliver(try Saga.rejected(reason: .outOfStock)) == .applied)
        let cancelled = try #require(await published(EventTypes.orderCancelled).first)
        #expect(try cancelled.decodeData(as: OrderCancelled.self)
            == OrderCancelled(orderId: "o-1", customerId: "c-1", reason: "out_of_stock"))
        #expect(try await order()?.status == .cancelled)
        #expect(try await order()?.reason == "out_of_stock")
        #expect(await published(EventTypes.orderConfirmed).isEmpty)
    }

    @Test func aDeclinedPaymentCancelsTheOrder() async throws {
        for event in [try Saga.created(), try Saga.reserved(), try Saga.failed(reason: .cardDeclined)] {
            #expect(await deliver(event) == .applied)
        }
        let cancelled = try #require(await published(EventTypes.orderCancelled).first)
        #expect(try cancelled.decodeData(as: OrderCancelled.self).reason == "card_declined")
        #expect(await transport.published.count == 1)
    }

    @Test func eventsArrivingInReverseStillConfirmOnce() async throws {
        for event in [try Saga.completed(), try Saga.reserved(), try Saga.created()] {
            #expect(await deliver(event) == .applied)
        }
        let confirmed = await published(EventTypes.orderConfirmed)
        #expect(confirmed.count == 1)
        #expect(try confirmed.first?.decodeData(as: OrderConfirmed.self).customerId == "c-1")
        #expect(try await order()?.status == .confirmed)
    }

    @Test func concurrentDeliveriesOfOneEventApplyOnce() async throws {
        #expect(await deliver(try Saga.created()) == .applied)
        #expect(await deliver(try Saga.reserved()) == .applied)
        let completed = try Saga.completed()
        async let first = deliver(completed)
        async let second = deliver(completed)
        let outcomes = await [first, second]
        #expect(outcomes.filter { $0 == .applied }.count == 1)
        #expect(outcomes.filter { $0 == .ignored }.count == 1)
        #expect(await published(EventTypes.orderConfirmed).count == 1)
        #expect(try await order()?.seen.count == 4)
    }

    @Test func concurrentEventsOfOneOrderAreAllRecorded() async throws {
        let events = [try Saga.created(), try Saga.reserved(), try Saga.completed()]
        async let created = deliver(events[0])
        async let reserved = deliver(events[1])
        async let completed = deliver(events[2])
        #expect(await [created, reserved, completed] == [.applied, .applied, .applied])
        let record = try #require(try await order())
        #expect(Set(record.seen) == [
            EventTypes.orderCreated, EventTypes.stockReserved, EventTypes.paymentCompleted, EventTypes.orderConfirmed,
        ])
        #expect(await published(EventTypes.orderConfirmed).count == 1)
    }

    @Test func ordersAreKeptApart() async throws {
        #expect(await deliver(try Saga.created(order: "o-1")) == .applied)
        #expect(await deliver(try Saga.created(order: "o-2", customer: "c-2")) == .applied)
        #expect(await deliver(try Saga.rejected(order: "o-2")) == .applied)
        #expect(try await order("o-1")?.status == .pending)
        #expect(try await order("o-2")?.status == .cancelled)
        #expect(try await order("o-2")?.customerId == "c-2")
    }

    @Test(arguments: [
        (EventTypes.stockReserved,
         JSONValue.object(["orderId": "o-1", "customerId": "c-1", "items": [], "currency": "USD"]),
         "data.amount is missing"),
        (EventTypes.paymentCompleted,
         JSONValue.object(["orderId": "o-1", "paymentId": "pay_1", "amount": 1, "currency": 840]), "data.currency"),
        (EventTypes.orderCreated, JSONValue.object(["orderId": "o-1", "items": [], "payment": ["card": "4242"]]),
         "data.customerId is missing"),
        (EventTypes.stockRejected, JSONValue.object(["reason": "out_of_stock"]), "data.orderId is missing"),
    ])
    func malformedDataIsDeadLetteredWithTheFieldToBlame(type: String, data: JSONValue, reason: String) async throws {
        let event = CloudEvent(source: "switchboard/test", type: type, data: data)
        let message = InboundMessage(channel: type, payload: event.encoded())
        let disposition = await runner.handle(message)
        let given = try #require(disposition.deadLetterReason, "expected a dead letter, got \(disposition)")
        #expect(given.contains(reason), "\(given)")
        let letter = try #require(await deadLetters.letters.first)
        #expect(letter.service == "order")
        #expect(letter.channel == type)
        #expect(letter.payload == message.payload)
        #expect(try await order() == nil)
        #expect(await transport.published.isEmpty)
    }
}
