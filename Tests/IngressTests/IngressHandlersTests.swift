import EventBus
import EventBusInMemory
import Foundation
import HTTPServer
import Ingress
import OrderService
import StockService
import Telemetry
import Testing

/// The ingress's answers as `docs/http.md` gives them, in process: `Ingress.respond(to:)` over
/// `MemoryIngressStore`, so validation, `Prefer`, `Idempotency-Key` and every error status are checked
/// without Redis or a socket (the end-to-end suites check the same through the real binary).
@Suite("The ingress answers as docs/http.md says, against an in-memory store")
struct IngressHandlersTests {
    private let store = MemoryIngressStore()

    private func ingress(limits: OverloadLimits = OverloadLimits(), metrics: MetricsRegistry = MetricsRegistry())
        -> Ingress
    {
        Ingress(
            configuration: HTTPServerConfiguration(port: 0), store: store, reads: store, transport: InMemoryTransport(),
            deadLetters: InMemoryDeadLetterStore(), catalog: Catalog(items: [
                Catalog.Item(sku: "BOOK-1", name: "A book", price: 1200, stock: 10),
            ]), metrics: metrics, instance: "test", logger: .disabled, limits: limits
        )
    }

    private static let order = """
        {"customerId":"c-1","items":[{"sku":"BOOK-1","quantity":2}],"payment":{"card":"4242424242424242"}}
        """

    private static func post(
        _ body: String = order, contentType: String? = "application/json",
        _ headers: [(name: String, value: String)] = []
    ) -> HTTPRequest {
        let type = contentType.map { [(name: "Content-Type", value: $0)] } ?? []
        return HTTPRequest(method: "POST", path: "/orders", headers: type + headers, body: Array(body.utf8))
    }

    private static func header(_ name: String, of response: HTTPResponse) -> String? {
        response.headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    private static func body(of response: HTTPResponse) -> String {
        guard case .bytes(let bytes) = response.body else { return "" }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func object(of response: HTTPResponse) -> [String: Any] {
        guard case .bytes(let bytes) = response.body else { return [:] }
        return (try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]) ?? [:]
    }

    /// Checks that `response` is the problem `status`/`type`, as `application/problem+json`.
    private static func expectProblem(_ response: HTTPResponse, status: Int, type: String,
                                      sourceLocation: SourceLocation = #_sourceLocation) {
        let object = object(of: response)
        #expect(response.status == status, sourceLocation: sourceLocation)
        #expect(header("Content-Type", of: response) == "application/problem+json", sourceLocation: sourceLocation)
        #expect(object["type"] as? String == "https://switchboard.dev/problems/\(type)", sourceLocation: sourceLocation)
        #expect(object["status"] as? Int == status, sourceLocation: sourceLocation)
        #expect(!(object["title"] as? String ?? "").isEmpty, sourceLocation: sourceLocation)
    }

    // MARK: POST /orders

    @Test("a valid order is 202 with its id, pending, and Location, and is accepted once with its card vaulted")
    func accepted() async {
        let response = await ingress().respond(to: Self.post())
        let id = Self.object(of: response)["orderId"] as? String ?? ""
        #expect(response.status == 202)
        #expect(Self.body(of: response) == #"{"orderId":"\#(id)","status":"pending"}"#)
        #expect(Self.header("Location", of: response) == "/orders/\(id)")
        #expect(Self.header("Preference-Applied", of: response) == nil)
        #expect(store.accepted.map(\.order.orderId) == [id])
        #expect(store.accepted.first?.card.number == "4242424242424242")
        let published = store.accepted.first.map { String(decoding: $0.event.encoded(), as: UTF8.self) } ?? ""
        #expect(published.contains(#""last4":"4242""#) && !published.contains("4242424242424242"))
    }

    @Test("not application/json is 415, not JSON 400, invalid fields 422 each named; nothing is accepted")
    func validation() async {
        let ingress = ingress()
        Self.expectProblem(await ingress.respond(to: Self.post(contentType: nil)), status: 415,
                           type: "unsupported-media-type")
        Self.expectProblem(await ingress.respond(to: Self.post(contentType: "text/plain")), status: 415,
                           type: "unsupported-media-type")
        Self.expectProblem(await ingress.respond(to: Self.post("{", contentType: "application/json; charset=utf-8")),
                           status: 400, type: "malformed-json")
        let invalid = await ingress.respond(to: Self.post(
            #"{"customerId":"c-1","items":[{"sku":"BOOK 1","quantity":1.5}],"payment":{"card":"abc"}}"#
        ))
        Self.expectProblem(invalid, status: 422, type: "invalid-order")
        #expect(Self.body(of: invalid) == """
            {"detail":"3 field(s) are invalid","errors":[\
            {"field":"items[0].sku","message":"must be 1 to 64 letters, digits, '-', '_' or '.'"},\
            {"field":"items[0].quantity","message":"must be a whole number, found number"},\
            {"field":"payment.card","message":"must be 12 to 19 digits"}],\
            "status":422,"title":"Invalid Order","type":"https://switchboard.dev/problems/invalid-order"}
            """)
        #expect(store.accepted.isEmpty)
    }

    @Test("an Idempotency-Key of 1 to 200 characters: a repeat answers the first order, another body is 422")
    func idempotency() async {
        let ingress = ingress()
        Self.expectProblem(await ingress.respond(to: Self.post(Self.order, [("Idempotency-Key", "")])), status: 400,
                           type: "invalid-idempotency-key")
        let long = ("Idempotency-Key", String(repeating: "k", count: 201))
        Self.expectProblem(await ingress.respond(to: Self.post(Self.order, [long])), status: 400,
                           type: "invalid-idempotency-key")
        let key = ("Idempotency-Key", String(repeating: "k", count: 200))
        let first = await ingress.respond(to: Self.post(Self.order, [key]))
        let repeated = await ingress.respond(to: Self.post(Self.order, [key]))
        #expect(first.status == 202)
        #expect(repeated.status == 202)
        #expect(Self.body(of: repeated) == Self.body(of: first))
        #expect(Self.header("Location", of: repeated) == Self.header("Location", of: first))
        let other = Self.order.replacingOccurrences(of: "\"quantity\":2", with: "\"quantity\":3")
        let reused = await ingress.respond(to: Self.post(other, [key]))
        Self.expectProblem(reused, status: 422, type: "idempotency-key-reused")
        #expect(store.accepted.count == 1)
    }

    @Test("Prefer: wait=N is 200 with the final order, else 202 with its status, both with Preference-Applied")
    func preferWait() async {
        let ingress = ingress()
        let waiting = await ingress.respond(to: Self.post(Self.order, [("Prefer", "respond-async, wait=0")]))
        let id = Self.object(of: waiting)["orderId"] as? String ?? ""
        #expect(waiting.status == 202)
        #expect(Self.body(of: waiting) == #"{"orderId":"\#(id)","status":"pending"}"#)
        #expect(Self.header("Preference-Applied", of: waiting) == "wait=0")

        store.acceptedStatus = .confirmed
        let ended = await ingress.respond(to: Self.post(Self.order, [("Prefer", "wait=0")]))
        #expect(ended.status == 200)
        #expect(Self.object(of: ended)["status"] as? String == "confirmed")
        #expect(Self.header("Preference-Applied", of: ended) == "wait=0")
        #expect(Self.header("Location", of: ended) == "/orders/\(Self.object(of: ended)["orderId"] as? String ?? "")")

        let ignored = await ingress.respond(to: Self.post(Self.order, [("Prefer", "wait=soon")]))
        #expect(ignored.status == 202)
        #expect(Self.header("Preference-Applied", of: ignored) == nil)
    }

    @Test("Prefer: wait is capped at 30 seconds (a repeated key reads the order before waiting)")
    func preferWaitCapped() async {
        let ingress = ingress()
        let key = ("Idempotency-Key", "k-1")
        let first = await ingress.respond(to: Self.post(Self.order, [key]))
        store.acceptedStatus = .cancelled
        let repeated = await ingress.respond(to: Self.post(Self.order, [key, ("Prefer", "wait=600")]))
        #expect(repeated.status == 200)
        #expect(Self.object(of: repeated)["orderId"] as? String == Self.object(of: first)["orderId"] as? String)
        #expect(Self.header("Preference-Applied", of: repeated) == "wait=30")
    }

    @Test("no subscriber to order.created or Redis down is 503 with Retry-After: 1, and nothing is accepted")
    func unavailable() async {
        let ingress = ingress()
        store.broker = .noSubscriber
        let noSubscriber = await ingress.respond(to: Self.post())
        #expect(Self.body(of: noSubscriber) == """
            {"detail":"no service is subscribed to order.created (is the order service running?)","status":503,\
            "title":"Service Unavailable","type":"https://switchboard.dev/problems/unavailable"}
            """)
        #expect(noSubscriber.status == 503)
        #expect(Self.header("Retry-After", of: noSubscriber) == "1")

        store.broker = .down
        let down = await ingress.respond(to: Self.post(Self.order, [("Prefer", "wait=1")]))
        Self.expectProblem(down, status: 503, type: "unavailable")
        #expect(Self.header("Retry-After", of: down) == "1")
        #expect((Self.object(of: down)["detail"] as? String ?? "").hasPrefix("Redis is unreachable: "))
        #expect(store.accepted.isEmpty)
    }

    @Test("overloaded: 503 overloaded with Retry-After; a rejected order gives its pending place back at once")
    func overloaded() async {
        let ingress = ingress(limits: OverloadLimits(maximumPendingOrders: 1, retryAfterSeconds: 3))
        Self.expectProblem(await ingress.respond(to: Self.post("[]")), status: 422, type: "invalid-order")
        store.broker = .noSubscriber
        #expect(await ingress.respond(to: Self.post()).status == 503)
        store.broker = .up
        #expect(await ingress.respond(to: Self.post()).status == 202)
        let shed = await ingress.respond(to: Self.post())
        Self.expectProblem(shed, status: 503, type: "overloaded")
        #expect(Self.header("Retry-After", of: shed) == "3")
        #expect(store.accepted.count == 1)
    }

    // MARK: Reads, routing

    @Test("GET /orders/{id} is 200 for an accepted order, 404 for an unknown one, 503 while Redis is down")
    func orderReads() async {
        let ingress = ingress()
        let id = Self.object(of: await ingress.respond(to: Self.post()))["orderId"] as? String ?? ""
        let found = await ingress.respond(to: HTTPRequest(method: "GET", path: "/orders/\(id)"))
        #expect(found.status == 200)
        #expect(Self.object(of: found)["status"] as? String == "pending")
        let missing = await ingress.respond(to: HTTPRequest(method: "GET", path: "/orders/ord_none"))
        Self.expectProblem(missing, status: 404, type: "not-found")
        #expect(Self.object(of: missing)["detail"] as? String == "no order ord_none")
        Self.expectProblem(await ingress.respond(to: HTTPRequest(method: "GET", path: "/orders/ord_none/events")),
                           status: 404, type: "not-found")
        store.broker = .down
        let down = await ingress.respond(to: HTTPRequest(method: "GET", path: "/orders/\(id)"))
        Self.expectProblem(down, status: 503, type: "unavailable")
        #expect(Self.header("Retry-After", of: down) == "1")
    }

    @Test("GET /stock/{sku} is 200 from catalog and store, 404 for a SKU not in the catalog, 503 while Redis is down")
    func stockReads() async {
        let ingress = ingress()
        let stock = await ingress.respond(to: HTTPRequest(method: "GET", path: "/stock/BOOK-1"))
        #expect(stock.status == 200)
        #expect(Self.body(of: stock) == """
            {"available":10,"currency":"USD","name":"A book","price":1200,"reserved":0,"sku":"BOOK-1"}
            """)
        Self.expectProblem(await ingress.respond(to: HTTPRequest(method: "GET", path: "/stock/NOPE")), status: 404,
                           type: "not-found")
        store.broker = .down
        Self.expectProblem(await ingress.respond(to: HTTPRequest(method: "GET", path: "/stock/BOOK-1")), status: 503,
                           type: "unavailable")
    }

    @Test("an unknown path is 404, a known path with another method 405 with Allow")
    func routing() async {
        let ingress = ingress()
        let unknown = await ingress.respond(to: HTTPRequest(method: "GET", path: "/nowhere"))
        Self.expectProblem(unknown, status: 404, type: "not-found")
        #expect(Self.object(of: unknown)["detail"] as? String == "no resource at /nowhere")
        let wrongMethod = await ingress.respond(to: HTTPRequest(method: "DELETE", path: "/orders"))
        Self.expectProblem(wrongMethod, status: 405, type: "method-not-allowed")
        #expect(Self.header("Allow", of: wrongMethod) == "POST")
        #expect(Self.object(of: wrongMethod)["detail"] as? String == "DELETE is not allowed on /orders; use POST")
    }

    @Test("each request is counted once, by its route's pattern, method and status; no route counts as unmatched")
    func requestMetrics() async {
        let metrics = MetricsRegistry()
        let ingress = ingress(metrics: metrics)
        _ = await ingress.respond(to: HTTPRequest(method: "GET", path: "/orders/ord_none"))
        _ = await ingress.respond(to: HTTPRequest(method: "GET", path: "/stock/BOOK-1"))
        _ = await ingress.respond(to: HTTPRequest(method: "DELETE", path: "/orders"))
        let totals = metrics.snapshot().totals("switchboard_http_requests_total", by: ["route", "method", "status"])
        #expect(totals == [
            ["route": "/orders/{id}", "method": "GET", "status": "404"]: 1,
            ["route": "/stock/{sku}", "method": "GET", "status": "200"]: 1,
            ["route": "unmatched", "method": "DELETE", "status": "405"]: 1,
        ])
    }
}
