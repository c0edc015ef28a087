import SagaEvents
import SagaFixtures
import StockService
import Testing

@Suite struct StockMachineTests {
    let machine = StockMachine(catalog: .standard)

    // MARK: order.created

    @Test func reserveMergesDuplicateSKUsAndPricesThemFromTheCatalog() {
        let order = Saga.orderCreated(items: [
            OrderItem(sku: "BOOK-1", quantity: 2), OrderItem(sku: "MUG-1", quantity: 1),
            OrderItem(sku: "BOOK-1", quantity: 3),
        ])
        let action = machine.orderCreated(order, reservation: nil)
        let expected = StockReserved(
            orderId: "o-1", customerId: "c-1",
            items: [
                PricedItem(sku: "BOOK-1", quantity: 5, unitPrice: 1250),
                PricedItem(sku: "MUG-1", quantity: 1, unitPrice: 900),
            ],
            amount: 5 * 1250 + 900, currency: "USD"
        )
        #expect(action == .reserve(
            items: [OrderItem(sku: "BOOK-1", quantity: 5), OrderItem(sku: "MUG-1", quantity: 1)],
            reserved: expected
        ))
    }

    @Test func reservationUsesTheCatalogsCurrency() throws {
        let euros = StockMachine(catalog: Catalog(currency: "EUR", items: [
            Catalog.Item(sku: "TEA-1", name: "Tea", price: 420, stock: 10),
        ]))
        let action = euros.orderCreated(Saga.orderCreated(items: [OrderItem(sku: "TEA-1", quantity: 2)]), reservation: nil)
        guard case .reserve(_, let reserved) = action else {
            Issue.record("expected a reservation, got \(action)")
            return
        }
        #expect(reserved.amount == 840)
        #expect(reserved.currency == "EUR")
        #expect(reserved.items == [PricedItem(sku: "TEA-1", quantity: 2, unitPrice: 420)])
    }

    @Test func theLargestAllowedQuantityIsReserved() {
        let order = Saga.orderCreated(items: [OrderItem(sku: "BOOK-1", quantity: StockMachine.maximumQuantity)])
        guard case .reserve(let items, let reserved) = machine.orderCreated(order, reservation: nil) else {
            Issue.record("the maximum quantity should be accepted")
            return
        }
        #expect(items == [OrderItem(sku: "BOOK-1", quantity: StockMachine.maximumQuantity)])
        #expect(reserved.amount == StockMachine.maximumQuantity * 1250)
    }

    struct InvalidOrder: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var order: OrderCreated
    }

    @Test(arguments: [
        InvalidOrder(testDescription: "no items", order: Saga.orderCreated(items: [])),
        InvalidOrder(testDescription: "quantity 0", order: Saga.orderCreated(items: [OrderItem(sku: "BOOK-1", quantity: 0)])),
        InvalidOrder(testDescription: "negative quantity",
                     order: Saga.orderCreated(items: [OrderItem(sku: "BOOK-1", quantity: -3)])),
        InvalidOrder(testDescription: "quantity over the maximum",
                     order: Saga.orderCreated(items: [OrderItem(sku: "BOOK-1", quantity: StockMachine.maximumQuantity + 1)])),
        InvalidOrder(testDescription: "lines of one SKU adding up past the maximum", order: Saga.orderCreated(items: [
            OrderItem(sku: "BOOK-1", quantity: StockMachine.maximumQuantity),
            OrderItem(sku: "BOOK-1", quantity: StockMachine.maximumQuantity),
        ])),
        InvalidOrder(testDescription: "Int.max quantity",
                     order: Saga.orderCreated(items: [OrderItem(sku: "BOOK-1", quantity: .max)])),
        InvalidOrder(testDescription: "one bad line among good ones", order: Saga.orderCreated(items: [
            OrderItem(sku: "BOOK-1", quantity: 1), OrderItem(sku: "MUG-1", quantity: 0),
        ])),
        InvalidOrder(testDescription: "empty customer",
                     order: Saga.orderCreated(customer: "", items: [OrderItem(sku: "BOOK-1", quantity: 1)])),
        InvalidOrder(testDescription: "empty SKU", order: Saga.orderCreated(items: [OrderItem(sku: "", quantity: 1)])),
        InvalidOrder(testDescription: "unknown SKU with quantity 0",
                     order: Saga.orderCreated(items: [OrderItem(sku: "NOPE-1", quantity: 0)])),
    ])
    func invalidOrdersAreRejectedAsInvalidOrder(_ invalid: InvalidOrder) {
        #expect(machine.orderCreated(invalid.order, reservation: nil)
            == .reject(StockRejected(orderId: "o-1", reason: .invalidOrder)))
    }

    @Test func anUnknownSKUIsRejectedByName() {
        let order = Saga.orderCreated(items: [
            OrderItem(sku: "BOOK-1", quantity: 1), OrderItem(sku: "GHOST-7", quantity: 1),
            OrderItem(sku: "GHOST-8", quantity: 1),
        ])
        #expect(machine.orderCreated(order, reservation: nil)
            == .reject(StockRejected(orderId: "o-1", reason: .unknownSKU, sku: "GHOST-7")))
    }

    @Test(arguments: [
        Reservation.Status.reserved, .rejected, .released, .sold, .cancelled,
    ])
    func orderCreatedForAnOrderWithARecordDoesNothing(_ status: Reservation.Status) {
        let existing = Reservation(status: status, items: [OrderItem(sku: "BOOK-1", quantity: 1)])
        let order = Saga.orderCreated(items: [OrderItem(sku: "BOOK-1", quantity: 1)])
        #expect(machine.orderCreated(order, reservation: existing) == .nothing)
    }

    // MARK: order.cancelled

    @Test func cancellingAReservedOrderReleasesItsItems() {
        let items = [OrderItem(sku: "BOOK-1", quantity: 5), OrderItem(sku: "MUG-1", quantity: 1)]
        #expect(machine.orderCancelled(reservation: Reservation(status: .reserved, items: items)) == .release)
    }

    @Test func cancellingAnUnseenOrderReleasesSoThatALateOrderCreatedReservesNothing() {
        #expect(machine.orderCancelled(reservation: nil) == .release)
        let late = Saga.orderCreated(items: [OrderItem(sku: "BOOK-1", quantity: 1)])
        #expect(machine.orderCreated(late, reservation: Reservation(status: .cancelled)) == .nothing)
    }

    @Test(arguments: [Reservation.Status.rejected, .released, .sold, .cancelled])
    func cancellingAnOrderThatHoldsNothingDoesNothing(_ status: Reservation.Status) {
        let reservation = Reservation(status: status, items: [OrderItem(sku: "MUG-1", quantity: 2)])
        #expect(machine.orderCancelled(reservation: reservation) == .nothing)
    }

    // MARK: order.confirmed

    @Test func confirmingAReservedOrderSellsItsItems() {
        let items = [OrderItem(sku: "MUG-1", quantity: 2)]
        let reservation = Reservation(status: .reserved, items: items)
        #expect(machine.orderConfirmed(reservation: reservation) == .sell)
    }

    @Test(arguments: [nil, Reservation.Status.rejected, .released, .sold, .cancelled])
    func confirmingAnOrderThatHoldsNothingDoesNothing(_ status: Reservation.Status?) {
        let reservation = status.map { Reservation(status: $0, items: [OrderItem(sku: "MUG-1", quantity: 2)]) }
        #expect(machine.orderConfirmed(reservation: reservation) == .nothing)
    }
}
