import EventBus
import HTTPServer
import SagaEvents

/// A valid `POST /orders` body.
public struct OrderRequest: Sendable, Equatable {
    /// The most lines one order may have.
    public static let maximumItems = 100
    /// The longest customer id, SKU or card accepted, in characters.
    public static let maximumTextLength = 200

    public var customerId: String
    public var items: [OrderItem]
    public var card: String

    /// The request in a canonical form, to tell whether a repeated `Idempotency-Key` came with the same body.
    public var fingerprint: String {
        let items = self.items.map { "\($0.sku)×\($0.quantity)" }.joined(separator: ",")
        return "customer=\(customerId);items=\(items);card=\(card)"
    }

    /// Reads and checks a request body.
    /// - Throws: `InvalidOrderRequest` naming every bad field, as `items[1].quantity`.
    public static func validate(_ body: JSONValue) throws(InvalidOrderRequest) -> OrderRequest {
        var errors: [ProblemDetails.FieldError] = []
        func fail(_ field: String, _ message: String) {
            errors.append(ProblemDetails.FieldError(field: field, message: message))
        }
        func text(_ value: JSONValue?, _ field: String) -> String? {
            guard let value, value != .null else {
                fail(field, "is required")
                return nil
            }
            guard case .string(let text) = value else {
                fail(field, "must be a string, found \(value.typeName)")
                return nil
            }
            if text.isEmpty {
                fail(field, "must not be empty")
                return nil
            }
            if text.count > maximumTextLength {
                fail(field, "must be at most \(maximumTextLength) characters")
                return nil
            }
            return text
        }
        guard case .object(let members) = body else {
            throw InvalidOrderRequest(errors: [
                ProblemDetails.FieldError(field: "", message: "the body must be a JSON object, found \(body.typeName)"),
            ])
        }
        let customer = text(members["customerId"], "customerId")
        var items: [OrderItem] = []
        switch members["items"] {
        case nil, .null?:
            fail("items", "is required")
        case .array(let lines)?:
            if lines.isEmpty { fail("items", "must hold at least one item") }
            if lines.count > maximumItems { fail("items", "must hold at most \(maximumItems) items") }
            for (index, line) in lines.prefix(maximumItems).enumerated() {
                let field = "items[\(index)]"
                guard case .object(let item) = line else {
                    fail(field, "must be an object with sku and quantity, found \(line.typeName)")
                    continue
                }
                let sku = text(item["sku"], "\(field).sku")
                var quantity: Int?
                switch item["quantity"] {
                case nil, .null?: fail("\(field).quantity", "is required")
                case .integer(let value)?:
                    if (1...1_000_000).contains(value) { quantity = value }
                    else { fail("\(field).quantity", "must be from 1 to 1000000, found \(value)") }
                case let other?: fail("\(field).quantity", "must be a whole number, found \(other.typeName)")
                }
                if let sku, let quantity { items.append(OrderItem(sku: sku, quantity: quantity)) }
            }
        case let other?:
            fail("items", "must be an array, found \(other.typeName)")
        }
        var card: String?
        switch members["payment"] {
        case nil, .null?: fail("payment", "is required")
        case .object(let payment)?: card = text(payment["card"], "payment.card")
        case let other?: fail("payment", "must be an object with card, found \(other.typeName)")
        }
        guard errors.isEmpty, let customer, let card else { throw InvalidOrderRequest(errors: errors) }
        return OrderRequest(customerId: customer, items: items, card: card)
    }
}

/// A `POST /orders` body with invalid fields.
public struct InvalidOrderRequest: Error, Sendable, Equatable {
    /// Every bad field.
    public var errors: [ProblemDetails.FieldError]
}
