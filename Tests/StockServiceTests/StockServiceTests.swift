import EventBus
import EventBusInMemory
import SagaEvents
import SagaFixtures
import StockService
import Testing

@Suite struct StockServiceTests {
    let transport = InMemoryTransport()
    let deadLetters = InMemoryDeadLetterStore()
    let counters: InMemoryStockCounters
    let service: StockService

    init() {
        counters = InMemoryStockCounters(transport: transport)
        service = StockService(catalog: .standard, counters: counters)
    }

    var runner: ServiceRunner {
        ServiceRunner(service: service, transport: transport, deadLetters: deadLetters, instance: "stock-test",
                      logger: .disabled)
    }

    /// Applies the service's setup as `ServiceRunner.run()` does on start.
    @discardableResult
    func seed() async throws -> [CommitResult] {
        var results: [CommitResult] = []
        for commit in service.setup {
            results.append(try await transport.commit(commit, acknowledging: nil, group: service.name))
        }
        return results
    }

    func deliver(_ event: CloudEvent) async -> ServiceRunner.Disposition {
        await runner.handle(InboundMessage(channel: event.type, payload: event.encoded()))
    }

    func stock(_ sku: String) async -> (available: Int, reserved: Int) {
        (await transport.field("available", of: StockKeys.item(sku)),
         await transport.field("reserved", of: StockKeys.item(sku)))
    }

    func published(_ type: String) async -> [CloudEvent] {
        await transport.published.filter { $0.type == type }
    }

    /// The first `stock.rejected` published, decoded.
    func firstRejection() async throws -> StockRejected? {
        try await published(EventTypes.stockRejected).first?.decodeData(as: StockRejected.self)
    }

    func reservation(_ orderID: String = "o-1") async throws -> Reservation? {
        try Reservation(stored: try await transport.record(StockKeys.reservation(orderID)))
    }

    func order(_ items: [OrderItem], id: String = "o-1") throws -> CloudEvent {
        try .saga(EventTypes.orderCreated, Saga.orderCreated(order: id, items: items), order: id)
    }

    func cancelled(_ id: String = "o-1") throws -> CloudEvent {
        try .saga(EventTypes.orderCancelled, OrderCancelled(orderId: id, customerId: "c-1", reason: "card_declined"),
                  order: id)
    }

    // MARK: Seeding

    @Test func subscribesToTheOrdersLifecycle() {
        #expect(Set(service.subscriptions)
            == [EventTypes.orderCreated, EventTypes.orderCancelled, EventTypes.orderConfirmed])
        #expect(service.name == "stock")
    }

    @Test func setupSeedsEveryCatalogItem() async throws {
        #expect(try await seed() == Array(repeating: .applied(fallback: nil, version: 1), count: 3))
        #expect(await stock("BOOK-1") == (1_000_000, 0))
        #expect(await stock("MUG-1") == (50, 0))
        #expect(await stock("PEN-1") == (0, 0))
        #expect(try await transport.record(StockKeys.seeded("MUG-1")) == StoredRecord(version: 1, fields: ["stock": "50"]))
    }

    @Test func seedingTwiceDoesNotDoubleStock() async throws {
        try await seed()
        let seeded = StoredRecord(version: 1, fields: ["stock": "50"])
        let versions: [Int?] = try await seed().map { if case .conflict(let current) = $0 { current?.version } else { nil } }
        #expect(versions == Array(repeating: 1, count: 3))
        #expect(try await transport.record(StockKeys.seeded("MUG-1")) == seeded)
        #expect(await stock("BOOK-1") == (1_000_000, 0))
        #expect(await stock("MUG-1") == (50, 0))
    }

    @Test func seedingAgainNeverOverwritesStockThatMoved() async throws {
        try await seed()
        #expect(await deliver(try order([OrderItem(sku: "MUG-1", quantity: 3)])) == .applied)
        try await seed()
        #expect(await stock("MUG-1") == (47, 3))
    }

    // MARK: Reservation

    @Test func aReservationMovesUnitsFromAvailableToReserved() async throws {
        try await seed()
        let created = try order([
            OrderItem(sku: "MUG-1", quantity: 2), OrderItem(sku: "BOOK-1", quantity: 1),
            OrderItem(sku: "MUG-1", quantity: 1),
        ])
        #expect(await deliver(created) == .applied)
        #expect(await stock("MUG-1") == (47, 3))
        #expect(await stock("BOOK-1") == (999_999, 1))

        let events = await published(EventTypes.stockReserved)
        try #require(events.count == 1)
        let reserved = try events[0].decodeData(as: StockReserved.self)
        #expect(reserved == StockReserved(
            orderId: "o-1", customerId: "c-1",
            items: [
                PricedItem(sku: "MUG-1", quantity: 3, unitPrice: 900),
                PricedItem(sku: "BOOK-1", quantity: 1, unitPrice: 1250),
            ],
            amount: 3 * 900 + 1250, currency: "USD"
        ))
        #expect(events[0].source == "switchboard/stock")
        #expect(events[0].correlationID == "o-1")
        #expect(events[0].causationID == created.id)
        #expect(try await reservation() == Reservation(status: .reserved, items: [
            OrderItem(sku: "MUG-1", quantity: 3), OrderItem(sku: "BOOK-1", quantity: 1),
        ]))
    }

    @Test func aReservationIsAllOrNothing() async throws {
        try await seed()
        #expect(await deliver(try order([
            OrderItem(sku: "BOOK-1", quantity: 2), OrderItem(sku: "MUG-1", quantity: 51),
        ])) == .applied)

        #expect(await stock("BOOK-1") == (1_000_000, 0))
        #expect(await stock("MUG-1") == (50, 0))
        #expect(await published(EventTypes.stockReserved).isEmpty)
        let rejections = await published(EventTypes.stockRejected)
        try #require(rejections.count == 1)
        #expect(try rejections[0].decodeData(as: StockRejected.self)
            == StockRejected(orderId: "o-1", reason: .outOfStock, sku: "MUG-1"))
        #expect(try await reservation() == Reservation(status: .rejected))
    }

    @Test func mergedLinesAreCheckedAgainstStockTogether() async throws {
        try await seed()
        #expect(await deliver(try order([
            OrderItem(sku: "MUG-1", quantity: 30), OrderItem(sku: "MUG-1", quantity: 30),
        ])) == .applied)
        #expect(await stock("MUG-1") == (50, 0))
        #expect(try await firstRejection() == StockRejected(orderId: "o-1", reason: .outOfStock, sku: "MUG-1"))
    }

    @Test func anItemWithNoStockIsOutOfStock() async throws {
        try await seed()
        #expect(await deliver(try order([OrderItem(sku: "PEN-1", quantity: 1)])) == .applied)
        #expect(try await firstRejection() == StockRejected(orderId: "o-1", reason: .outOfStock, sku: "PEN-1"))
        #expect(await stock("PEN-1") == (0, 0))
    }

    @Test func theLastUnitsCanBeReservedExactly() async throws {
        try await seed()
        #expect(await deliver(try order([OrderItem(sku: "MUG-1", quantity: 50)])) == .applied)
        #expect(await stock("MUG-1") == (0, 50))
        #expect(await published(EventTypes.stockReserved).count == 1)
    }

    @Test func anUnknownSKUIsRejectedWithoutTouchingStock() async throws {
        try await seed()
        #expect(await deliver(try order([
            OrderItem(sku: "BOOK-1", quantity: 1), OrderItem(sku: "GHOST-1", quantity: 1),
        ])) == .applied)
        #expect(try await firstRejection() == StockRejected(orderId: "o-1", reason: .unknownSKU, sku: "GHOST-1"))
        #expect(await stock("BOOK-1") == (1_000_000, 0))
    }

    @Test func theSameOrderCreatedTwiceReservesOnce() async throws {
        try await seed()
        let created = try order([OrderItem(sku: "MUG-1", quantity: 1)])
        #expect(await deliver(created) == .applied)
        #expect(await deliver(created) == .ignored)
        #expect(await stock("MUG-1") == (49, 1))
        #expect(await published(EventTypes.stockReserved).count == 1)
    }

    @Test func aSecondOrderCreatedForTheSameOrderWithAnotherIDReservesNothingMore() async throws {
        try await seed()
        #expect(await deliver(try order([OrderItem(sku: "MUG-1", quantity: 1)])) == .applied)
        #expect(await deliver(try order([OrderItem(sku: "MUG-1", quantity: 5)])) == .ignored)
        #expect(await stock("MUG-1") == (49, 1))
    }

    @Test func concurrentDeliveriesOfOneOrderReserveOnce() async throws {
        try await seed()
        let created = try order([OrderItem(sku: "MUG-1", quantity: 2)])
        async let first = deliver(created)
        async let second = deliver(created)
        let outcomes = await [first, second]
        #expect(outcomes.filter { $0 == .applied }.count == 1)
        #expect(outcomes.filter { $0 == .ignored }.count == 1)
        #expect(await stock("MUG-1") == (48, 2))
        #expect(await published(EventTypes.stockReserved).count == 1)
    }

    @Test func twoOrdersRacingForTheLastUnitNeverOversell() async throws {
        try await seed()
        await transport.setField("available", of: StockKeys.item("MUG-1"), to: 1)
        let orders = [try order([OrderItem(sku: "MUG-1", quantity: 1)], id: "o-1"),
                      try order([OrderItem(sku: "MUG-1", quantity: 1)], id: "o-2")]
        async let first = deliver(orders[0])
        async let second = deliver(orders[1])
        #expect(await [first, second] == [.applied, .applied])
        #expect(await stock("MUG-1") == (0, 1))
        #expect(await published(EventTypes.stockReserved).count == 1)
        #expect(await published(EventTypes.stockRejected).count == 1)
    }

    @Test func aBarePayloadFromRedisCLIIsReserved() async throws {
        try await seed()
        let bare = #"{"orderId":"o-9","customerId":"c-1","items":[{"sku":"MUG-1","quantity":1}],"#
            + #""payment":{"card":"4242424242424242"}}"#
        #expect(await runner.handle(InboundMessage(channel: EventTypes.orderCreated, payload: Array(bare.utf8)))
            == .applied)
        #expect(await stock("MUG-1") == (49, 1))
        let reserved = try #require(await published(EventTypes.stockReserved).first)
        #expect(reserved.correlationID == "o-9")
    }

    // MARK: Release and sale

    @Test func cancellingAReservedOrderRestoresItsStock() async throws {
        try await seed()
        #expect(await deliver(try order([
            OrderItem(sku: "MUG-1", quantity: 3), OrderItem(sku: "BOOK-1", quantity: 2),
        ])) == .applied)
        let cancellation = try cancelled()
        #expect(await deliver(cancellation) == .applied)

        #expect(await stock("MUG-1") == (50, 0))
        #expect(await stock("BOOK-1") == (1_000_000, 0))
        let released = try #require(await published(EventTypes.stockReleased).first)
        #expect(try released.decodeData(as: StockReleased.self) == StockReleased(orderId: "o-1", items: [
            OrderItem(sku: "MUG-1", quantity: 3), OrderItem(sku: "BOOK-1", quantity: 2),
        ]))
        #expect(released.causationID == cancellation.id)
        #expect(try await reservation()?.status == .released)
    }

    @Test func aRepeatedCancellationReleasesOnce() async throws {
        try await seed()
        #expect(await deliver(try order([OrderItem(sku: "MUG-1", quantity: 3)])) == .applied)
        let cancellation = try cancelled()
        #expect(await deliver(cancellation) == .applied)
        #expect(await deliver(cancellation) == .ignored)
        #expect(await deliver(try cancelled()) == .ignored)
        #expect(await stock("MUG-1") == (50, 0))
        #expect(await published(EventTypes.stockReleased).count == 1)
    }

    @Test func cancellingARejectedOrderReleasesNothing() async throws {
        try await seed()
        #expect(await deliver(try order([OrderItem(sku: "MUG-1", quantity: 99)])) == .applied)
        #expect(await deliver(try cancelled()) == .ignored)
        #expect(await stock("MUG-1") == (50, 0))
        #expect(await published(EventTypes.stockReleased).isEmpty)
    }

    @Test func aCancellationBeforeTheOrderKeepsTheLateOrderFromReserving() async throws {
        try await seed()
        #expect(await deliver(try cancelled()) == .applied)
        #expect(try await reservation() == Reservation(status: .cancelled))
        #expect(await deliver(try order([OrderItem(sku: "MUG-1", quantity: 1)])) == .ignored)
        #expect(await stock("MUG-1") == (50, 0))
        #expect(await transport.published.isEmpty)
    }

    @Test func confirmingAnOrderSellsItsReservedUnits() async throws {
        try await seed()
        #expect(await deliver(try order([OrderItem(sku: "MUG-1", quantity: 2)])) == .applied)
        let confirmed = try CloudEvent.saga(
            EventTypes.orderConfirmed, OrderConfirmed(orderId: "o-1", customerId: "c-1", amount: 1800, currency: "USD")
        )
        #expect(await deliver(confirmed) == .applied)
        #expect(await deliver(confirmed) == .ignored)
        #expect(await stock("MUG-1") == (48, 0))
        #expect(try await reservation() == Reservation(status: .sold, items: [OrderItem(sku: "MUG-1", quantity: 2)]))
        #expect(await deliver(try cancelled()) == .ignored)
        #expect(await stock("MUG-1") == (48, 0))
    }

    // MARK: Steps on the counters, then commits

    @Test func aCrashBetweenTheReservationAndItsCommitReservesOnceOnRedelivery() async throws {
        try await seed()
        let items = [OrderItem(sku: "MUG-1", quantity: 2)]
        // The first delivery's step ran, then the process died before its commit.
        #expect(try await counters.reserve(orderID: "o-1", items: items) == .reserved(items))
        #expect(await stock("MUG-1") == (48, 2))
        #expect(try await reservation() == nil)

        #expect(await deliver(try order(items)) == .applied)
        #expect(await stock("MUG-1") == (48, 2))
        #expect(try await reservation() == Reservation(status: .reserved, items: items))
        #expect(await published(EventTypes.stockReserved).count == 1)
        #expect(await counters.calls == ["reserve", "reserve"])
    }

    @Test func aRejectionStoredBeforeACrashIsCommittedAsStored() async throws {
        try await seed()
        #expect(try await counters.reserve(orderID: "o-1", items: [OrderItem(sku: "MUG-1", quantity: 60)])
            == .rejected(sku: "MUG-1"))
        // Stock comes in meanwhile: the redelivery still gets the first answer.
        await transport.setField("available", of: StockKeys.item("MUG-1"), to: 100)
        #expect(await deliver(try order([OrderItem(sku: "MUG-1", quantity: 60)])) == .applied)
        #expect(await stock("MUG-1") == (100, 0))
        #expect(try await firstRejection() == StockRejected(orderId: "o-1", reason: .outOfStock, sku: "MUG-1"))
    }

    @Test func anUnreachableCounterIsAskedAgainUntilItAnswers() async throws {
        try await seed()
        await counters.failNext(2)
        #expect(await deliver(try order([OrderItem(sku: "MUG-1", quantity: 1)])) == .applied)
        #expect(await counters.calls == ["reserve", "reserve", "reserve"])
        #expect(await stock("MUG-1") == (49, 1))
        #expect(await published(EventTypes.stockReserved).count == 1)
    }

    @Test(arguments: [true, false])
    func aStepLostWithAFailedOverPrimaryIsTakenAgainBeforeTheCommit(lost: Bool) async throws {
        try await seed()
        let items = [OrderItem(sku: "MUG-1", quantity: 2)]
        let failover = FailoverTransport(base: transport) { [transport] in
            guard lost else { return }
            // The reservation's write did not reach the replica that is now the primary.
            await transport.atomically { records, hashes in
                records[StockKeys.answer("o-1")] = nil
                hashes[StockKeys.item("MUG-1")] = ["available": 50, "reserved": 0]
            }
        }
        let runner = ServiceRunner(service: service, transport: failover, deadLetters: deadLetters,
                                   instance: "stock-test", logger: .disabled)
        let created = try order(items)
        #expect(await runner.handle(InboundMessage(channel: created.type, payload: created.encoded())) == .applied)
        #expect(await counters.calls == ["reserve", "reserve"])
        #expect(await stock("MUG-1") == (48, 2))
        #expect(try await reservation() == Reservation(status: .reserved, items: items))
        #expect(await published(EventTypes.stockReserved).count == 1)
    }

    @Test func aCrashBetweenTheReleaseAndItsCommitReleasesOnceOnRedelivery() async throws {
        try await seed()
        let items = [OrderItem(sku: "MUG-1", quantity: 3)]
        #expect(await deliver(try order(items)) == .applied)
        #expect(try await counters.release(orderID: "o-1") == .released(items))
        #expect(try await counters.release(orderID: "o-1") == .released(items))
        #expect(await stock("MUG-1") == (50, 0))

        #expect(await deliver(try cancelled()) == .applied)
        #expect(await deliver(try cancelled()) == .ignored)
        #expect(await stock("MUG-1") == (50, 0))
        #expect(try await reservation() == Reservation(status: .released, items: items))
        #expect(await published(EventTypes.stockReleased).count == 1)
    }

    @Test func aReleaseStepBeforeTheReservationKeepsTheOrderFromReserving() async throws {
        try await seed()
        // A cancellation's step ran first, its commit lost; then the order's event comes.
        #expect(try await counters.release(orderID: "o-1") == .cancelled)
        #expect(await deliver(try order([OrderItem(sku: "MUG-1", quantity: 1)])) == .applied)
        #expect(await stock("MUG-1") == (50, 0))
        #expect(try await reservation() == Reservation(status: .cancelled))
        #expect(await transport.published.isEmpty)
        #expect(await deliver(try cancelled()) == .ignored)
    }

    @Test func aCancellationWhileTheReservationIsUncommittedReleasesIt() async throws {
        try await seed()
        let items = [OrderItem(sku: "MUG-1", quantity: 4)]
        // Another instance reserved and has not committed yet when the cancellation is handled here.
        #expect(try await counters.reserve(orderID: "o-1", items: items) == .reserved(items))
        #expect(await deliver(try cancelled()) == .applied)
        #expect(await stock("MUG-1") == (50, 0))
        #expect(try await reservation() == Reservation(status: .released, items: items))
        #expect(await deliver(try order(items)) == .ignored)
        #expect(await stock("MUG-1") == (50, 0))
        #expect(await published(EventTypes.stockReserved).isEmpty)
        #expect(await published(EventTypes.stockReleased).count == 1)
    }

    @Test func aSaleIsOnceWhateverTheRedeliveries() async throws {
        try await seed()
        let items = [OrderItem(sku: "MUG-1", quantity: 2)]
        #expect(await deliver(try order(items)) == .applied)
        #expect(try await counters.sell(orderID: "o-1") == .sold(items))
        let confirmed = try CloudEvent.saga(
            EventTypes.orderConfirmed, OrderConfirmed(orderId: "o-1", customerId: "c-1", amount: 1800, currency: "USD")
        )
        #expect(await deliver(confirmed) == .applied)
        #expect(await stock("MUG-1") == (48, 0))
        #expect(try await counters.release(orderID: "o-1") == .sold(items))
        #expect(await stock("MUG-1") == (48, 0))
    }

    // MARK: Malformed messages

    @Test(arguments: [
        (JSONValue.object(["orderId": "o-1", "items": [["sku": "MUG-1", "quantity": 1]], "payment": ["card": "4242"]]),
         "data.customerId is missing"),
        (JSONValue.object([
            "orderId": "o-1", "customerId": "c-1", "items": [["sku": "MUG-1", "quantity": "2"]],
            "payment": ["card": "4242"],
        ]), "data.items[0].quantity"),
        (JSONValue.object([
            "customerId": "c-1", "items": [["sku": "MUG-1", "quantity": 1]], "payment": ["card": "4242"],
        ]), "data.orderId is missing"),
        (JSONValue.object(["orderId": "", "customerId": "c-1", "items": [], "payment": ["card": "4242"]]),
         "data.orderId"),
    ])
    func malformedDataIsDeadLetteredWithTheFieldToBlame(data: JSONValue, reason: String) async throws {
        try await seed()
        let message = InboundMessage(channel: EventTypes.orderCreated,
                                     payload: CloudEvent.raw(EventTypes.orderCreated, data).encoded())
        let disposition = await runner.handle(message)
        guard case .deadLettered(let given) = disposition else {
            Issue.record("expected a dead letter, got \(disposition)")
            return
        }
        #expect(given.contains(reason))
        let letters = await deadLetters.letters
        try #require(letters.count == 1)
        #expect(letters[0].service == "stock")
        #expect(letters[0].channel == EventTypes.orderCreated)
        #expect(letters[0].payload == message.payload)
        #expect(letters[0].reason == given)
        #expect(await stock("MUG-1") == (50, 0))
        #expect(await transport.published.isEmpty)
    }

    @Test func aMessageThatIsNotJSONIsDeadLetteredAndTheServiceGoesOn() async throws {
        try await seed()
        let garbage = InboundMessage(channel: EventTypes.orderCreated, payload: Array("{not json".utf8))
        guard case .deadLettered = await runner.handle(garbage) else {
            Issue.record("garbage should be dead-lettered")
            return
        }
        #expect(await deadLetters.letters.first?.payload == garbage.payload)
        #expect(await deliver(try order([OrderItem(sku: "MUG-1", quantity: 1)])) == .applied)
    }

    @Test func aCorruptedReservationRecordIsDeadLettered() async throws {
        try await seed()
        let corrupt = Commit(key: StockKeys.reservation("o-1"), expected: nil, outcome: Commit.Outcome(record: ["status": "lost"]))
        _ = try await transport.commit(corrupt, acknowledging: nil, group: "stock")
        let disposition = await deliver(try cancelled())
        guard case .deadLettered(let reason) = disposition else {
            Issue.record("expected a dead letter, got \(disposition)")
            return
        }
        #expect(reason.contains("reservation"))
    }
}
