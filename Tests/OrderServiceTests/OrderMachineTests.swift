import EventBus
import OrderService
import SagaEvents
import SagaFixtures
import Testing

@Suite struct OrderMachineTests {
    let machine = OrderMachine(source: "switchboard/order")

    /// Applies events in turn, requiring each to change the record; returns every transition.
    func run(_ events: [CloudEvent], from start: OrderRecord? = nil) throws -> [OrderMachine.Transition] {
        var record = start
        var transitions: [OrderMachine.Transition] = []
        for event in events {
            let transition = try #require(try machine.apply(event, to: record), "\(event.type) changed nothing")
            transitions.append(transition)
            record = transition.record
        }
        return transitions
    }

    // MARK: Happy path

    @Test func theHappyPathGoesPendingReservedConfirmedAndConfirmsOnce() throws {
        let transitions = try run([Saga.created(), Saga.reserved(), Saga.completed(amount: 2500)])
        #expect(transitions.map(\.record.status) == [.pending, .reserved, .confirmed])
        #expect(transitions.map { $0.emitted?.type } == [nil, nil, EventTypes.orderConfirmed])

        let confirmed = try #require(transitions[2].emitted)
        #expect(try confirmed.decodeData(as: OrderConfirmed.self)
            == OrderConfirmed(orderId: "o-1", customerId: "c-1", amount: 2500, currency: "USD"))
        let record = transitions[2].record
        #expect(record.customerId == "c-1")
        #expect(record.amount == 2500)
        #expect(record.currency == "USD")
        #expect(record.paymentId == "pay_1")
        #expect(record.reason == nil)
        #expect(record.items == [OrderItem(sku: "BOOK-1", quantity: 2)])
    }

    @Test func theFirstRecordTakesTheOrdersItems() throws {
        let record = try #require(try machine.apply(Saga.created(), to: nil)).record
        #expect(record.orderId == "o-1")
        #expect(record.status == .pending)
        #expect(record.items == [OrderItem(sku: "BOOK-1", quantity: 1), OrderItem(sku: "BOOK-1", quantity: 1)])
        #expect(record.amount == nil)
    }

    @Test func theEmittedEventIsCorrelatedAndCausedByTheEventThatFinishedTheOrder() throws {
        let completed = try Saga.completed()
        let transitions = try run([Saga.created(), Saga.reserved(), completed])
        let confirmed = try #require(transitions.last?.emitted)
        #expect(confirmed.source == "switchboard/order")
        #expect(confirmed.correlationID == "o-1")
        #expect(confirmed.causationID == completed.id)
        #expect(confirmed.id != completed.id)
    }

    @Test func anUncorrelatedCauseLendsItsIDAsTheCorrelation() throws {
        var failed = try Saga.failed()
        failed.correlationID = nil
        let transitions = try run([Saga.created(), failed])
        let cancelled = try #require(transitions.last?.emitted)
        #expect(cancelled.correlationID == failed.id)
        #expect(cancelled.causationID == failed.id)
    }

    @Test func theRecordListsEveryTypeInProcessingOrderWithTheEmittedOneAfterItsCause() throws {
        let events = [try Saga.created(), try Saga.reserved(), try Saga.completed()]
        let last = try #require(try run(events).last)
        let emitted = try #require(last.emitted)
        #expect(last.record.seen == [
            EventTypes.orderCreated, EventTypes.stockReserved, EventTypes.paymentCompleted, EventTypes.orderConfirmed,
        ])
        #expect(last.record.seen.last == emitted.type)
    }

    @Test func theSeenTypesFollowProcessingOrderNotTheFlowsOrder() throws {
        let events = [try Saga.completed(), try Saga.reserved(), try Saga.created()]
        let record = try #require(try run(events).last).record
        #expect(record.seen == [
            EventTypes.paymentCompleted, EventTypes.stockReserved, EventTypes.orderConfirmed, EventTypes.orderCreated,
        ])
    }

    @Test func theRecordRoundTripsThroughItsStoredFields() throws {
        let events = [try Saga.created(), try Saga.reserved(), try Saga.completed()]
        let record = try #require(try run(events).last).record
        #expect(try OrderRecord(fields: RecordFields(record.fields)) == record)
        #expect(record.fields["seen"]?.split(separator: "\n").count == 4)
        #expect(throws: RecordError.self) { try OrderRecord(fields: RecordFields(["orderId": "o-1", "status": "lost"])) }
        #expect(throws: RecordError.self) { try OrderRecord(fields: RecordFields(["status": "pending"])) }
        #expect(throws: RecordError.self) {
            try OrderRecord(fields: RecordFields(["orderId": "o-1", "status": "pending", "amount": "ten"]))
        }
    }

    @Test func theHistoryShownToClientsIsTheTraceLogsOrderEventsEachTypeOnce() throws {
        let events = [try Saga.created(), try Saga.reserved(), try Saga.completed()]
        let emitted = try #require(try run(events).last?.emitted)
        let released = events[0].caused(type: EventTypes.stockReleased, source: "switchboard/stock",
                                         payload: StockReleased(orderId: "o-1", items: []))
        let history = OrderHistory.entries(from: events + [released, emitted, events[1]])
        #expect(history.map(\.type) == [
            EventTypes.orderCreated, EventTypes.stockReserved, EventTypes.paymentCompleted, EventTypes.orderConfirmed,
        ])
        #expect(history.map(\.id) == events.map(\.id) + [emitted.id])
        #expect(history.map(\.source)
            == ["switchboard/ingress", "switchboard/stock", "switchboard/payment", "switchboard/order"])
        #expect(history.allSatisfy { $0.time.hasSuffix("Z") })
    }

    // MARK: Cancellation

    @Test(arguments: StockRejection.allCases)
    func aStockRejectionCancelsTheOrderWithItsReason(_ reason: StockRejection) throws {
        let transitions = try run([Saga.created(), Saga.rejected(reason: reason)])
        let last = try #require(transitions.last)
        #expect(last.record.status == .cancelled)
        #expect(last.record.reason == reason.rawValue)
        let cancelled = try #require(last.emitted)
        #expect(cancelled.type == EventTypes.orderCancelled)
        #expect(try cancelled.decodeData(as: OrderCancelled.self)
            == OrderCancelled(orderId: "o-1", customerId: "c-1", reason: reason.rawValue))
    }

    @Test(arguments: PaymentFailure.allCases)
    func aPaymentFailureCancelsTheOrderWithItsReason(_ reason: PaymentFailure) throws {
        let transitions = try run([Saga.created(), Saga.reserved(), Saga.failed(reason: reason)])
        #expect(transitions.map(\.record.status) == [.pending, .reserved, .cancelled])
        let last = try #require(transitions.last)
        #expect(last.record.reason == reason.rawValue)
        #expect(last.record.amount == 2500)
        let cancelled = try #require(last.emitted)
        #expect(try cancelled.decodeData(as: OrderCancelled.self)
            == OrderCancelled(orderId: "o-1", customerId: "c-1", reason: reason.rawValue))
    }

    @Test func theFirstFinalStatusWins() throws {
        let transitions = try run([Saga.created(), Saga.reserved(), Saga.completed(), Saga.failed()])
        let last = try #require(transitions.last)
        #expect(last.record.status == .confirmed)
        #expect(last.emitted == nil)
        #expect(!last.record.hasSeen(EventTypes.orderCancelled))
    }

    // MARK: Duplicates

    @Test(arguments: [
        EventTypes.orderCreated, EventTypes.stockReserved, EventTypes.stockRejected,
        EventTypes.paymentCompleted, EventTypes.paymentFailed,
    ])
    func aSecondEventOfATypeChangesNothing(_ type: String) throws {
        func make() throws -> CloudEvent {
            switch type {
            case EventTypes.orderCreated: try Saga.created()
            case EventTypes.stockReserved: try Saga.reserved()
            case EventTypes.stockRejected: try Saga.rejected()
            case EventTypes.paymentCompleted: try Saga.completed()
            default: try Saga.failed()
            }
        }
        let event = try make()
        let record = try #require(try machine.apply(event, to: nil)).record
        #expect(try machine.apply(event, to: record) == nil, "the same delivery again")
        #expect(try machine.apply(try make(), to: record) == nil, "another event of the same type")
    }

    @Test func aSecondOrderCreatedWithAnotherCustomerChangesNothing() throws {
        let record = try #require(try run([Saga.created(customer: "c-1")]).last).record
        #expect(try machine.apply(try Saga.created(customer: "c-2"), to: record) == nil)
    }

    @Test func aFinalOrderIsAnnouncedOnlyOnce() throws {
        let transitions = try run([Saga.created(), Saga.rejected(), Saga.reserved()])
        #expect(transitions.compactMap(\.emitted).map(\.type) == [EventTypes.orderCancelled])
        #expect(transitions.last?.record.status == .cancelled)
    }

    @Test(arguments: [EventTypes.orderConfirmed, EventTypes.orderCancelled, EventTypes.notificationSent, "other"])
    func eventsTheOrderDoesNotTrackChangeNothing(_ type: String) throws {
        let record = try #require(try run([Saga.created()]).last).record
        let event = CloudEvent(source: "switchboard/test", type: type, data: ["orderId": "o-1", "customerId": "c-1"])
        #expect(try machine.apply(event, to: record) == nil)
    }

    // MARK: Reordering

    @Test func aPaymentBeforeTheOrderWaitsForTheCustomerThenConfirmsOnce() throws {
        let early = try #require(try machine.apply(try Saga.completed(amount: 2500), to: nil))
        #expect(early.emitted == nil)
        #expect(early.record.customerId == nil)

        let created = try Saga.created()
        let known = try #require(try machine.apply(created, to: early.record))
        let confirmed = try #require(known.emitted)
        #expect(confirmed.type == EventTypes.orderConfirmed)
        #expect(confirmed.causationID == created.id)
        #expect(try confirmed.decodeData(as: OrderConfirmed.self)
            == OrderConfirmed(orderId: "o-1", customerId: "c-1", amount: 2500, currency: "USD"))
        #expect(known.record.status == .confirmed)

        let late = try #require(try machine.apply(try Saga.reserved(), to: known.record))
        #expect(late.emitted == nil)
        #expect(late.record.status == .confirmed)
        #expect(late.record.items == [OrderItem(sku: "BOOK-1", quantity: 2)])
    }

    @Test func aPaymentBeforeTheReservationConfirmsOnceTheReservationNamesTheCustomer() throws {
        let transitions = try run([Saga.completed(), Saga.reserved(), Saga.created()])
        #expect(transitions.map { $0.emitted?.type } == [nil, EventTypes.orderConfirmed, nil])
        #expect(transitions.last?.record.status == .confirmed)
        #expect(transitions.last?.record.customerId == "c-1")
    }

    @Test func aPaymentBeforeTheReservationButAfterTheOrderConfirmsAtOnce() throws {
        let transitions = try run([Saga.created(), Saga.completed(), Saga.reserved()])
        #expect(transitions.map { $0.emitted?.type } == [nil, EventTypes.orderConfirmed, nil])
        #expect(transitions.compactMap(\.emitted).count == 1)
    }

    @Test func aRejectionBeforeTheOrderCancelsOnceTheCustomerIsKnown() throws {
        let early = try #require(try machine.apply(try Saga.rejected(reason: .unknownSKU), to: nil))
        #expect(early.emitted == nil)
        #expect(early.record.reason == "unknown_sku")

        let known = try #require(try machine.apply(try Saga.created(), to: early.record))
        #expect(known.record.status == .cancelled)
        let cancelled = try #require(known.emitted)
        #expect(try cancelled.decodeData(as: OrderCancelled.self)
            == OrderCancelled(orderId: "o-1", customerId: "c-1", reason: "unknown_sku"))
    }

    @Test func aPaymentFailureBeforeTheReservationCancelsOnceTheCustomerIsKnown() throws {
        let transitions = try run([Saga.failed(reason: .insufficientFunds), Saga.reserved(), Saga.created()])
        #expect(transitions.map { $0.emitted?.type } == [nil, EventTypes.orderCancelled, nil])
        #expect(transitions.map(\.record.status) == [.cancelled, .cancelled, .cancelled])
    }

    @Test func theReservedLinesAreKeptWhenTheReservationCameFirst() throws {
        let record = try #require(try run([Saga.reserved(customer: "c-1"), Saga.created(customer: "c-1")]).last)
            .record
        #expect(record.items == [OrderItem(sku: "BOOK-1", quantity: 2)], "the merged, priced lines are kept")
        #expect(record.status == .reserved)
    }

    // MARK: Malformed data

    @Test func aMistypedFieldThrowsNamingIt() {
        let event = CloudEvent(source: "switchboard/stock", type: EventTypes.stockReserved, data: [
            "orderId": "o-1", "customerId": "c-1", "items": [], "amount": "25", "currency": "USD",
        ])
        #expect {
            _ = try machine.apply(event, to: nil)
        } throws: { error in
            (error as? CloudEventError)?.code == .invalidField
                && (error as? CloudEventError)?.message.contains("data.amount") == true
        }
    }

    @Test func aMissingOrderIDThrows() {
        let event = CloudEvent(source: "switchboard/payment", type: EventTypes.paymentFailed,
                               data: ["reason": "card_declined"])
        #expect(throws: CloudEventError(.missingField, "data.orderId is missing")) {
            _ = try machine.apply(event, to: nil)
        }
    }

    @Test func anUnknownReasonThrows() {
        let event = CloudEvent(source: "switchboard/payment", type: EventTypes.paymentFailed,
                               data: ["orderId": "o-1", "reason": "stolen"])
        #expect(throws: CloudEventError.self) {
            _ = try machine.apply(event, to: nil)
        }
    }
}
