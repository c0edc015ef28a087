import EventBus
import HTTPServer
import JSONBytes
import SagaEvents

/// A valid `POST /orders` body: what `docs/openapi.yaml` calls `OrderRequest`.
///
/// The limits here are the schema's (`docs/openapi.yaml`, and the `order.created` data of
/// `docs/asyncapi.yaml`); the contract tests (`Tests/contract`: the inputs, and schemathesis's
/// boundary and negative cases against a live ingress) hold them to the documents.
public struct OrderRequest: Sendable, Equatable {
    /// The most lines one order may have (`PayloadRules`, as for events on the bus).
    public static let maximumItems = PayloadRules.itemCounts.upperBound
    /// The longest customer id, in characters (Unicode scalars, as JSON Schema counts them).
    public static let maximumCustomerIDLength = PayloadRules.identifierLengths.upperBound
    /// The longest SKU, in characters; a SKU is letters, digits, `-`, `_` and `.` (ASCII).
    public static let maximumSKULength = PayloadRules.skuLengths.upperBound
    /// How many digits a card number has.
    public static let cardDigits = PayloadRules.cardDigits
    /// The quantities one line may ask for (the stock service's limit).
    public static let quantities = PayloadRules.quantities
    /// The members an order, an item and a payment may have; any other member is a `422`.
    static let orderFields: Set = ["customerId", "items", "payment"]
    static let itemFields: Set = ["sku", "quantity"]
    static let paymentFields: Set = ["card"]

    public var customerId: String
    public var items: [OrderItem]
    public var card: String

    /// The request in a canonical form, to tell whether a repeated `Idempotency-Key` came with the same body.
    /// It is kept with the key for a day, so the card is in it masked to its last four digits.
    public var fingerprint: String {
        let items = self.items.map { "\($0.sku)×\($0.quantity)" }.joined(separator: ",")
        return "customer=\(customerId);items=\(items);card=\(CardNumberMask.masked(card))"
    }

    /// Whether `sku` is 1 to 64 ASCII letters, digits, `-`, `_` or `.` (`^[A-Za-z0-9._-]{1,64}$`).
    public static func isWellFormedSKU(_ sku: String) -> Bool {
        PayloadRules.isWellFormedSKU(sku)
    }

    /// Whether `card` is 12 to 19 ASCII digits (`^[0-9]{12,19}$`).
    public static func isWellFormedCard(_ card: String) -> Bool {
        PayloadRules.isWellFormedCard(card)
    }

    /// Reads and checks a request body.
    /// - Throws: `InvalidOrderRequest` naming every bad field, as `items[1].quantity`.
    public static func validate(_ body: JSONValue) throws(InvalidOrderRequest) -> OrderRequest {
        var errors: [ProblemDetails.FieldError] = []
        func fail(_ field: String, _ message: String) {
            errors.append(ProblemDetails.FieldError(field: field, message: message))
        }
        /// Reports the members of `object` that are not in `known`, in name order.
        func rejectUnknown(_ object: [String: JSONValue], known: Set<String>, in path: String) {
            for name in object.keys.sorted() where !known.contains(name) {
                let expected = known.sorted().joined(separator: ", ")
                fail(path.isEmpty ? name : "\(path).\(name)", "is not a known field (expected \(expected))")
            }
        }
        /// The string at `field`, when it is one and `check` accepts it (else `rule` says why not).
        func text(_ value: JSONValue?, _ field: String, rule: String, _ check: (String) -> Bool) -> String? {
            guard let value else {
                fail(field, "is required")
                return nil
            }
            guard case .string(let text) = value else {
                fail(field, "must be a string, found \(value.typeName)")
                return nil
            }
            guard check(text) else {
                fail(field, text.isEmpty ? "must not be empty" : rule)
                return nil
            }
            return text
        }
        guard case .object(let members) = body else {
            throw InvalidOrderRequest(errors: [
                ProblemDetails.FieldError(field: "", message: "the body must be a JSON object, found \(body.typeName)"),
            ])
        }
        rejectUnknown(members, known: orderFields, in: "")
        let customer = text(members["customerId"], "customerId",
                            rule: "must be at most \(maximumCustomerIDLength) characters") {
            (1...maximumCustomerIDLength).contains($0.unicodeScalars.count)
        }
        var items: [OrderItem] = []
        switch members["items"] {
        case nil:
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
                rejectUnknown(item, known: itemFields, in: field)
                let sku = text(item["sku"], "\(field).sku",
                               rule: "must be 1 to \(maximumSKULength) letters, digits, '-', '_' or '.'",
                               isWellFormedSKU)
                var quantity: Int?
                switch item["quantity"] {
                case nil: fail("\(field).quantity", "is required")
                case .integer(let value)?:
                    if quantities.contains(value) { quantity = value }
                    else {
                        fail("\(field).quantity",
                             "must be from \(quantities.lowerBound) to \(quantities.upperBound), found \(value)")
                    }
                case let other?: fail("\(field).quantity", "must be a whole number, found \(other.typeName)")
                }
                if let sku, let quantity { items.append(OrderItem(sku: sku, quantity: quantity)) }
            }
        case let other?:
            fail("items", "must be an array, found \(other.typeName)")
        }
        var card: String?
        switch members["payment"] {
        case nil: fail("payment", "is required")
        case .object(let payment)?:
            rejectUnknown(payment, known: paymentFields, in: "payment")
            card = text(payment["card"], "payment.card",
                        rule: "must be \(cardDigits.lowerBound) to \(cardDigits.upperBound) digits", isWellFormedCard)
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
