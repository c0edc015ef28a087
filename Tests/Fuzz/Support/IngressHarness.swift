import EventBus
import EventBusInMemory
import Foundation
import HTTPServer
import Ingress
import SagaEvents
import StockService
import Telemetry

/// The ingress as the HTTP server runs it, over `MemoryIngressStore`, answering requests without a socket,
/// and the properties every answer must have.
enum IngressHarness {
    static let store = MemoryIngressStore()
    static let ingress = Ingress(
        configuration: HTTPServerConfiguration(port: 0), store: store, reads: store, transport: InMemoryTransport(),
        deadLetters: InMemoryDeadLetterStore(), catalog: catalog, metrics: MetricsRegistry(), instance: "fuzz", logger: .disabled
    )

    /// The repository's catalog (the fuzz script runs from the repository's root).
    private static var catalog: Catalog {
        guard let json = FileManager.default.contents(atPath: "Config/catalog.json"),
              let catalog = try? Catalog(json: json)
        else { fatalError("run the fuzz targets from the repository's root: Config/catalog.json is needed") }
        return catalog
    }

    /// Answers `request` and checks the answer: a status from 200 to 599; an error's body a JSON object,
    /// a problem's with its status and a title; an accepted order one the schema allows, published as one
    /// `order.created` event carrying exactly what was asked.
    static func check(_ request: HTTPRequest) {
        let before = store.accepted.count
        let response = FuzzCheck.wait { await ingress.respond(to: request) }
        FuzzCheck.require((200...599).contains(response.status), "status \(response.status)")
        let contentType = response.headers.first { $0.name.lowercased() == "content-type" }?.value ?? ""
        guard case .bytes(let body) = response.body else { return }
        if response.status >= 400 || contentType.hasPrefix("application/json") {
            let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
            FuzzCheck.require(object != nil, "a \(response.status) whose body is not a JSON object: \(String(decoding: body, as: UTF8.self))")
            if contentType.hasPrefix("application/problem+json") {
                FuzzCheck.require(object?["status"] as? Int == response.status && !((object?["title"] as? String) ?? "").isEmpty,
                                  "a problem without its status or title: \(String(decoding: body, as: UTF8.self))")
                if (object?["type"] as? String ?? "").hasSuffix("invalid-order") {
                    let errors = object?["errors"] as? [[String: Any]] ?? []
                    FuzzCheck.require(!errors.isEmpty && errors.allSatisfy { !(($0["message"] as? String) ?? "").isEmpty },
                                      "an invalid order without a reason per field: \(String(decoding: body, as: UTF8.self))")
                }
            }
        }
        let accepted = Array(store.accepted.dropFirst(before))
        // The router takes `/orders/` for `/orders`, as it takes any path with a trailing slash.
        let isOrders = request.path == "/orders" || request.path == "/orders/"
        guard request.method == "POST", isOrders, (200...299).contains(response.status) else {
            FuzzCheck.require(accepted.isEmpty, "\(request.method) \(request.path) answered \(response.status) but published")
            return
        }
        guard accepted.isEmpty else {
            FuzzCheck.require(accepted.count == 1, "\(accepted.count) events for one accepted order")
            OrderSchema.check(request: request.body, published: accepted[0].event, vaulted: accepted[0].card)
            return
        }
        // Nothing new published: only for a repeated Idempotency-Key, answered with the first order's id.
        let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        let id = object?["orderId"] as? String
        FuzzCheck.require(request.header("Idempotency-Key") != nil && store.accepted.contains { $0.order.orderId == id },
                          "answered \(response.status) \(String(decoding: body, as: UTF8.self)) but published nothing")
    }
}

/// What the contract (docs/openapi.yaml, `OrderRequest`) allows in `POST /orders`, checked on the raw body
/// with Foundation's JSON reader, independently of the ingress's own.
enum OrderSchema {
    static func check(request body: [UInt8], published event: CloudEvent, vaulted: VaultedCard) {
        let text = String(decoding: body, as: UTF8.self)
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            FuzzCheck.require(false, "accepted a body that is not a JSON object: \(text)")
            return
        }
        FuzzCheck.require(Set(object.keys) == ["customerId", "items", "payment"], "accepted fields \(object.keys.sorted()): \(text)")
        let customer = object["customerId"] as? String ?? ""
        FuzzCheck.require((1...OrderRequest.maximumCustomerIDLength).contains(customer.count), "accepted customerId '\(customer)'")
        let items = object["items"] as? [[String: Any]] ?? []
        FuzzCheck.require((1...OrderRequest.maximumItems).contains(items.count)
            && items.count == (object["items"] as? [Any])?.count, "accepted items \(String(describing: object["items"]))")
        for item in items {
            FuzzCheck.require(Set(item.keys) == ["sku", "quantity"], "accepted item fields \(item.keys.sorted())")
            let sku = item["sku"] as? String ?? ""
            FuzzCheck.require(OrderRequest.isWellFormedSKU(sku), "accepted sku '\(sku)'")
            let quantity = item["quantity"] as? NSNumber
            FuzzCheck.require(quantity.map { Double(truncating: $0) == Double(Int(truncating: $0))
                && OrderRequest.quantities.contains(Int(truncating: $0)) } ?? false, "accepted quantity \(String(describing: quantity))")
        }
        let payment = object["payment"] as? [String: Any] ?? [:]
        FuzzCheck.require(Set(payment.keys) == ["card"], "accepted payment fields \(payment.keys.sorted())")
        FuzzCheck.require(OrderRequest.isWellFormedCard(payment["card"] as? String ?? ""), "accepted card \(String(describing: payment["card"]))")
        guard let created = try? CloudEvent(envelope: event.encoded()).payload(OrderCreated.self) else {
            FuzzCheck.require(false, "the published order.created does not decode: \(event)")
            return
        }
        FuzzCheck.require(event.type == EventTypes.orderCreated && created.customerId == customer
            && created.items.map(\.sku) == items.map { $0["sku"] as? String ?? "" }
            && created.items.map(\.quantity) == items.map { ($0["quantity"] as? NSNumber)?.intValue ?? 0 }
            && created.payment.card == nil && created.payment.token == vaulted.token
            && created.payment.last4 == String((payment["card"] as? String ?? "").suffix(4))
            && vaulted.number == payment["card"] as? String, "published \(created) for \(text)")
    }
}
