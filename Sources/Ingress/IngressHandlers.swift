#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import EventBus
import HTTPServer
import JSONBytes
import OrderService
import SagaEvents
import StockService
import SystemReads
import Telemetry

/// The answers to the ingress's routes (`docs/http.md`).
struct IngressHandlers: Sendable {
    /// The longest `Prefer: wait`, in seconds.
    static let maximumWaitSeconds = 30
    /// The longest an event stream stays open, waiting for an order to end.
    static let maximumStreamDuration = Duration.seconds(300)

    let store: any IngressStore
    let reads: any SystemReader
    let feed: OrderFeed
    let admission: Admission
    let catalog: Catalog
    let metrics: MetricsRegistry
    /// This process's instance name, to tell its own metrics from those other processes published.
    let instance: String
    let logger: Logger

    // MARK: POST /orders

    /// Sheds the order at once when the ingress is overloaded; otherwise the order holds a pending place
    /// (`PendingOrders`) from now until its final event passes, or gives it back at once when it was not
    /// published. With an `Idempotency-Key`, the order's id is drawn in the key's partition
    /// (`OrderIdentifier`), so the accept's keys share one slot.
    func createOrder(_ request: HTTPRequest) async throws(ProblemDetails) -> HTTPResponse {
        let orderID = OrderIdentifier.draw(in: request.header("Idempotency-Key").map { Partition(of: $0) })
        if let reason = admission.admitOrder(orderID) { return admission.response(reason) }
        var published = false
        defer { if !published { admission.pending.end(orderID) } }
        return try await placeOrder(request, orderID: orderID, published: &published)
    }

    /// Validates the order, publishes it and answers; `published` tells whether `order.created` went out.
    private func placeOrder(_ request: HTTPRequest, orderID: String, published: inout Bool)
        async throws(ProblemDetails) -> HTTPResponse
    {
        let mediaType = request.header("Content-Type")?.split(separator: ";").first?.trimmed.lowercased()
        guard mediaType == "application/json" else {
            throw ProblemDetails(status: 415, type: "unsupported-media-type", title: "Unsupported Media Type",
                                 detail: "send the order as application/json, not \(mediaType ?? "no Content-Type")")
        }
        let body: JSONValue
        do {
            body = try JSONValue(jsonBytes: request.body)
        } catch {
            throw ProblemDetails(status: 400, type: "malformed-json", title: "Malformed JSON",
                                 detail: "the body is not valid JSON")
        }
        let order: OrderRequest
        do {
            order = try OrderRequest.validate(body)
        } catch {
            throw ProblemDetails(status: 422, type: "invalid-order", title: "Invalid Order",
                                 detail: "\(error.errors.count) field(s) are invalid", errors: error.errors)
        }
        var claim: IdempotencyClaim?
        if let key = request.header("Idempotency-Key") {
            guard (1...200).contains(key.count) else {
                throw ProblemDetails(status: 400, type: "invalid-idempotency-key", title: "Invalid Idempotency-Key",
                                     detail: "Idempotency-Key must be 1 to 200 characters")
            }
            claim = IdempotencyClaim(key: key, fingerprint: order.fingerprint)
        }
        let card = VaultedCard(number: order.card)
        let created = OrderCreated(orderId: orderID, customerId: order.customerId, items: order.items,
                                   payment: card.payment)
        let event = CloudEvent(source: "switchboard/ingress", type: EventTypes.orderCreated, correlationID: orderID,
                               traceparent: request.header("traceparent"), payload: created)
        let accepted = AcceptedOrder(orderId: orderID, customerId: order.customerId, items: order.items,
                                     acceptedAt: RFC3339.string(from: event.time))
        // With `Prefer: wait`, the order's final event is watched for before the order is published, so it
        // cannot pass unseen and the order need not be read before waiting.
        let wait = Self.preferredWait(request.header("Prefer"))
        let waiter = wait != nil ? feed.watch(orderID) : nil
        defer { if let waiter { feed.forget(orderID, waiter) } }
        let result: AcceptResult
        do {
            result = try await store.accept(event, order: accepted, card: card, idempotency: claim)
        } catch {
            throw .unreachable(error)
        }
        switch result {
        case .noSubscriber:
            throw .unavailable("no service is subscribed to order.created (is the order service running?)")
        case .repeated(let previous, let fingerprint):
            guard fingerprint == order.fingerprint else {
                throw ProblemDetails(status: 422, type: "idempotency-key-reused", title: "Idempotency-Key Reused",
                                     detail: "Idempotency-Key \(claim?.key ?? "") was used with a different order")
            }
            return await answer(orderID: previous, wait: wait)
        case .accepted:
            published = true
            metrics.increment("switchboard_events_published_total", help: "Events published, by type and service.",
                              labels: ["type": EventTypes.orderCreated, "service": "ingress"])
            return await answer(orderID: orderID, wait: wait, waiter: waiter)
        }
    }

    /// `202` with the order id, or with `Prefer: wait=N` the final order (`200`) if it ends in time.
    /// - Parameters:
    ///   - wait: the `Prefer: wait` seconds, if the request asked to wait.
    ///   - waiter: the order's waiter, made before the order was published; without one the order may have
    ///     ended before it is watched, so it is read first.
    private func answer(orderID: String, wait: Int?, waiter: OrderWaiter? = nil) async -> HTTPResponse {
        let location = ("Location", "/orders/\(orderID)")
        guard let wait else {
            return .json(status: 202, Self.pending(orderID, status: "pending"), headers: [location])
        }
        let watching = waiter ?? feed.watch(orderID)
        defer { feed.forget(orderID, watching) }
        let read = await finalRead(orderID, waiter: watching, within: .seconds(wait), mayHaveEnded: waiter == nil)
        let applied = ("Preference-Applied", "wait=\(wait)")
        if let view = read.view {
            return .json(status: 200, view.jsonBytes, headers: [location, applied])
        }
        return .json(status: 202, Self.pending(orderID, status: read.record?.status.rawValue ?? "pending"),
                     headers: [location, applied])
    }

    /// Waits until the order's final event passes or `timeout` runs out, then reads the order.
    /// - Parameter mayHaveEnded: whether the order may have ended before `waiter` was made, so it is read first.
    private func finalRead(_ orderID: String, waiter: OrderWaiter, within timeout: Duration, mayHaveEnded: Bool)
        async -> (record: OrderRecord?, view: OrderView?)
    {
        if mayHaveEnded, case let early = await readView(orderID), early.view != nil { return early }
        _ = await waiter.wait(within: timeout)
        return await readView(orderID)
    }

    /// The order's record, and its view when it is final: `nil` for what cannot be read.
    private func readView(_ orderID: String) async -> (record: OrderRecord?, view: OrderView?) {
        let read = await self.read(orderID)
        guard case .success(let record?) = read.record else { return (nil, nil) }
        guard record.status.isFinal, case .success(let trace) = read.trace else { return (record, nil) }
        return (record, OrderView(record: record, trace: trace))
    }

    /// The order's record (`store.order(_:)`) and its trace log, asked for together: two requests in flight
    /// at once, not one after the other.
    private func read(_ orderID: String) async
        -> (record: Result<OrderRecord?, EventBusError>, trace: Result<[CloudEvent], EventBusError>)
    {
        async let trace = traceLog(orderID)
        let record: Result<OrderRecord?, EventBusError>
        do throws(EventBusError) {
            record = .success(try await store.order(orderID))
        } catch {
            record = .failure(error)
        }
        return (record, await trace)
    }

    /// The order's trace log (`SystemReader.trace(_:)`), or why it cannot be read.
    private func traceLog(_ orderID: String) async -> Result<[CloudEvent], EventBusError> {
        do throws(EventBusError) {
            return .success(try await reads.trace(orderID))
        } catch {
            return .failure(error)
        }
    }

    // MARK: GET /orders/{id}, GET /orders/{id}/events

    func order(_ request: HTTPRequest) async throws(ProblemDetails) -> HTTPResponse {
        let id = request.parameters["id"] ?? ""
        switch await read(id) {
        case (.failure(let error), _), (.success(_?), .failure(let error)):
            throw .unreachable(error)
        case (.success(nil), _):
            throw .notFound("no order \(id)")
        case (.success(let record?), .success(let trace)):
            return .json(status: 200, OrderView(record: record, trace: trace).jsonBytes)
        }
    }

    /// The order's record as `store.order(_:)` reads it; a broker failure as `503`.
    func existingOrder(_ id: String) async throws(ProblemDetails) -> OrderRecord? {
        do {
            return try await store.order(id)
        } catch {
            throw .unreachable(error)
        }
    }

    /// The order's events as server-sent events, as its trace log records them: first those already
    /// logged, then each one as it is logged, ending once the order is confirmed or cancelled.
    func orderEvents(_ request: HTTPRequest) async throws(ProblemDetails) -> HTTPResponse {
        let id = request.parameters["id"] ?? ""
        guard try await existingOrder(id) != nil else { throw .notFound("no order \(id)") }
        if let reason = admission.admitStream() { return admission.response(reason) }
        let events = reads.follow(id)
        let headers = [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")]
        return HTTPResponse(status: 200, headers: headers, body: .stream { [admission] writer in
            defer { admission.endStream() }
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    var sent = Set<String>()
                    for await event in events {
                        guard sent.insert(event.id).inserted else { continue }
                        let frame = "id: \(event.id)\nevent: \(event.type)\ndata: "
                            + String(decoding: event.encoded(), as: UTF8.self) + "\n\n"
                        guard writer.write(Array(frame.utf8)), !OrderFeed.channels.contains(event.type) else { return }
                    }
                }
                group.addTask { try? await Task.sleep(for: Self.maximumStreamDuration) }
                await group.next()
                group.cancelAll()
            }
        })
    }

    // MARK: GET /stock/{sku}

    func stock(_ request: HTTPRequest) async throws(ProblemDetails) -> HTTPResponse {
        let sku = request.parameters["sku"] ?? ""
        guard let item = catalog.item(sku) else { throw .notFound("no SKU \(sku) in the catalog") }
        let levels: (available: Int, reserved: Int)?
        do {
            levels = try await store.stock(sku)
        } catch {
            throw .unreachable(error)
        }
        guard let levels else {
            throw .unavailable("stock for \(sku) is not seeded yet (is the stock service running?)")
        }
        let body: [String: JSONValue] = [
            "sku": .string(sku), "name": .string(item.name), "price": .integer(item.price),
            "currency": .string(catalog.currency), "available": .integer(levels.available),
            "reserved": .integer(levels.reserved),
        ]
        return .json(status: 200, Self.json(body))
    }

    // MARK: GET /health, GET /metrics

    /// `200` while `ok` or `overloaded` (the ingress works, shedding what it cannot take: a load balancer
    /// should keep sending), `503` while `degraded` or `down`.
    func health(_ request: HTTPRequest) async -> HTTPResponse {
        var report = await HealthReport.make(reader: reads, required: HealthReport.requiredServices)
        if report.status == .ok, admission.isOverloaded { report.status = .overloaded }
        return .json(status: report.status == .ok || report.status == .overloaded ? 200 : 503, Self.json(report))
    }

    /// This process's metrics and those every other running process published, each sample labelled
    /// with its `instance`.
    func metrics(_ request: HTTPRequest) async -> HTTPResponse {
        HTTPResponse(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")],
                     body: .bytes(Array(MetricsSnapshot.render(await metricsSnapshots()).utf8)))
    }

    /// This process's metrics as they are now, then those every other running process published.
    func metricsSnapshots() async -> [(instance: String?, snapshot: MetricsSnapshot)] {
        let others = ((try? await reads.metricsSnapshots()) ?? []).filter { $0.instance != instance }
        return [(instance, metrics.snapshot())] + others.map { ($0.instance, $0.snapshot) }
    }

    // MARK: Helpers

    /// `wait=N` from a `Prefer` header, capped at `maximumWaitSeconds`; `nil` when absent or not a number.
    static func preferredWait(_ header: String?) -> Int? {
        guard let header else { return nil }
        for preference in header.split(separator: ",") {
            let parts = preference.split(separator: "=", maxSplits: 1).map(\.trimmed)
            if parts.count == 2, parts[0].lowercased() == "wait", let seconds = Int(parts[1]), seconds >= 0 {
                return min(seconds, maximumWaitSeconds)
            }
        }
        return nil
    }

    /// The `202` body: `{"orderId":…,"status":…}`.
    static func pending(_ orderID: String, status: String) -> [UInt8] {
        var writer = JSONWriter(capacity: 96)
        writer.beginObject()
        writer.member("orderId", orderID)
        writer.member("status", status)
        writer.endObject()
        return writer.bytes
    }

    static func json(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? Array(encoder.encode(value))) ?? []
    }
}

extension Substring {
    /// Without white space at either end.
    fileprivate var trimmed: String {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map(index(after:)) ?? start
        return String(self[start..<end])
    }
}
