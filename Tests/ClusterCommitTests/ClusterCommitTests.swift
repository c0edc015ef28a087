import EventBus
import EventBusInMemory
import EventBusRedis
@testable import Ingress
import NotificationService
import OrderService
import PaymentService
import RedisClient
import SagaEvents
import SagaFixtures
import StockService
import Testing
import TestSupport

/// Every step and commit of an order, run by the real services and runners against a Redis Cluster of three
/// primaries: the ingress's accept with an `Idempotency-Key`, the stock counters' reservation and sale, the
/// customer's inbox, releases, and each service's commit (events with `SPUBLISH` on their partition's channel).
/// Redis refuses a call whose keys span slots (`CROSSSLOT`), which the runner would report as a
/// dead letter rather than `applied`.
@Suite("Commits on a Redis Cluster", .serialized)
struct ClusterCommitTests {
    private static let catalog = Catalog(items: [
        Catalog.Item(sku: "BOOK-1", name: "Book", price: 1250, stock: 1_000),
        Catalog.Item(sku: "MUG-1", name: "Mug", price: 900, stock: 64),
    ])

    /// A provider that approves every charge.
    private struct ApprovingProvider: PaymentProvider {
        func charge(card: String, amount: Int, currency: String, idempotencyKey: String)
            async throws(PaymentProviderError) -> ChargeResult
        {
            .approved(paymentID: "pay_\(idempotencyKey)")
        }

        func void(idempotencyKey: String) async throws(PaymentProviderError) {}
    }

    private struct Services {
        let stock: ServiceRunner
        let payment: ServiceRunner
        let order: ServiceRunner
        let notification: ServiceRunner

        init(cluster: RedisCluster) {
            let transport = RedisPubSubTransport(url: cluster.url, logger: .disabled)
            func runner(_ service: any EventService) -> ServiceRunner {
                ServiceRunner(service: service, transport: transport, deadLetters: InMemoryDeadLetterStore(),
                              instance: "cluster-test", logger: .disabled)
            }
            stock = runner(StockService(catalog: ClusterCommitTests.catalog,
                                        counters: RedisStockCounters(client: cluster.makeClient())))
            payment = runner(PaymentService(provider: ApprovingProvider(),
                                            vault: RedisCardVault(client: cluster.makeClient())))
            order = runner(OrderService())
            notification = runner(NotificationService(inbox: RedisCustomerInbox(client: cluster.makeClient())))
        }
    }

    private static func handle(_ event: CloudEvent, by runner: ServiceRunner) async -> ServiceRunner.Disposition {
        await runner.handle(InboundMessage(channel: event.type, payload: event.encoded()))
    }

    @Test("an order's steps and commits, in every partition, each touch one slot")
    func everyStepIsInOneSlot() async throws {
        try await withRedisCluster(replicas: 0) { cluster async throws in
            let client = cluster.makeClient()
            let services = Services(cluster: cluster)
            let setup = RedisPubSubTransport(url: cluster.url, logger: .disabled)
            for commit in StockService(catalog: Self.catalog, counters: RedisStockCounters(client: client)).setup {
                #expect(try await setup.commit(commit, acknowledging: nil, group: "stock") == .applied(fallback: nil, version: 1))
            }
            let store = RedisIngressStore(client: client, emission: .streams)
            var nodes: Set<Int> = []
            for partition in Partition.all {
                // An Idempotency-Key in this partition, and an order id drawn in it as the ingress does.
                let key = (0...).lazy.map { "checkout-\($0)" }.first { Partition(of: $0) == partition }!
                let orderID = OrderIdentifier.draw(in: Partition(of: key))
                #expect(Partition(of: orderID) == partition)
                let customer = "c-\(partition.index % 5)"
                nodes.insert(try await cluster.primary(serving: HashSlot(key: OrderKeys.order(orderID))).port)

                // The ingress's accept, onto the partition's stream, which has a consumer group.
                let stream = partition.shard(of: EventTypes.orderCreated)
                _ = try await client.send(RedisCommand("XGROUP", "CREATE", stream, "stock", "$", "MKSTREAM")
                    .routed(by: stream))
                let card = VaultedCard(number: Saga.goodCard)
                let items = [OrderItem(sku: "BOOK-1", quantity: 2), OrderItem(sku: "MUG-1", quantity: 1)]
                let created = CloudEvent(
                    source: "switchboard/ingress", type: EventTypes.orderCreated, correlationID: orderID, traceparent: nil,
                    payload: OrderCreated(orderId: orderID, customerId: customer, items: items, payment: card.payment)
                )
                let accepted = AcceptedOrder(orderId: orderID, customerId: customer, items: items, acceptedAt: "now")
                let claim = IdempotencyClaim(key: key, fingerprint: "f")
                #expect(try await store.accept(created, order: accepted, card: card, idempotency: claim)
                    == .accepted(receivers: 1))
                #expect(try await store.accept(created, order: accepted, card: card, idempotency: claim)
                    == .repeated(orderID: orderID, fingerprint: "f"))

                // The saga, each service's handling as its runner does it.
                let reserved = try Saga.event(EventTypes.stockReserved, StockReserved(
                    orderId: orderID, customerId: customer,
                    items: [PricedItem(sku: "BOOK-1", quantity: 2, unitPrice: 1250),
                            PricedItem(sku: "MUG-1", quantity: 1, unitPrice: 900)],
                    amount: 3400, currency: "USD"), source: "switchboard/stock", order: orderID)
                let completed = try Saga.event(EventTypes.paymentCompleted, PaymentCompleted(
                    orderId: orderID, paymentId: "pay_\(orderID)", amount: 3400, currency: "USD"
                ), source: "switchboard/payment", order: orderID)
                let confirmed = try Saga.confirmed(order: orderID, customer: customer, amount: 3400)
                let steps: [(CloudEvent, ServiceRunner, String)] = [
                    (created, services.stock, "stock"), (created, services.payment, "payment"),
                    (created, services.order, "order"), (reserved, services.payment, "payment"),
                    (reserved, services.order, "order"), (completed, services.order, "order"),
                    (confirmed, services.stock, "stock"), (confirmed, services.notification, "notification"),
                ]
                for (event, runner, name) in steps {
                    let disposition = await Self.handle(event, by: runner)
                    #expect(disposition == .applied, "\(name) on \(event.type) of \(orderID)")
                }
                let status = try await client.send(RedisCommand("HGET", OrderKeys.order(orderID), "status")
                    .routed(by: OrderKeys.order(orderID)))
                #expect(status.string == "confirmed")
            }
            #expect(nodes.count == 3, "the orders' partitions are on every primary")

            // Releases: a reserved order cancelled, and an order cancelled before it was seen (whose late
            // order.created then changes nothing).
            for index in 0..<8 {
                let orderID = "release-\(index)"
                let created = try Saga.created(order: orderID, items: [OrderItem(sku: "BOOK-1", quantity: 1)])
                let cancelled = try Saga.cancelled(order: orderID, reason: "card_declined")
                let steps: [(CloudEvent, ServiceRunner, ServiceRunner.Disposition)] = index.isMultiple(of: 2)
                    ? [(created, services.stock, .applied), (cancelled, services.stock, .applied)]
                    : [(cancelled, services.stock, .applied), (created, services.stock, .ignored)]
                for (event, runner, expected) in steps + [(cancelled, services.notification, .applied)] {
                    let disposition = await Self.handle(event, by: runner)
                    #expect(disposition == expected, "\(event.type) of \(orderID): \(disposition)")
                }
            }
            let mugs = try await client.send(RedisCommand("HMGET", StockKeys.item("MUG-1"), "available", "reserved")
                .routed(by: StockKeys.item("MUG-1")))
            #expect(mugs.array?.compactMap(\.string) == ["0", "0"], "64 mugs sold, one per order, none held")
            for (customer, count) in [("c-0", 13), ("c-1", 13 + 8)] {
                let inbox = NotificationKeys.customer(customer)
                #expect(try await client.send(RedisCommand("LLEN", inbox).routed(by: inbox)).int == count)
            }
            let books = try await client.send(RedisCommand("HMGET", StockKeys.item("BOOK-1"), "available", "reserved")
                .routed(by: StockKeys.item("BOOK-1")))
            #expect(books.array?.compactMap(\.string) == ["\(1_000 - 2 * 64)", "0"], "released books are back")
        }
    }
}
