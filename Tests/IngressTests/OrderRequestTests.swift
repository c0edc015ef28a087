import EventBus
import Ingress
import SagaEvents
import Testing

@Suite("POST /orders bodies are held to docs/openapi.yaml's OrderRequest")
struct OrderRequestTests {
    /// A valid body.
    private static let valid: JSONValue = [
        "customerId": "c-1", "items": [["sku": "BOOK-1", "quantity": 2]], "payment": ["card": "4242424242424242"],
    ]

    /// The valid body with the member at `path` replaced (or removed, for `nil`).
    private static func body(_ path: [String], _ value: JSONValue?) -> JSONValue {
        func replace(_ value: JSONValue?, at path: ArraySlice<String>, in node: JSONValue) -> JSONValue? {
            guard let key = path.first else { return value }
            switch node {
            case .object(var members):
                members[key] = replace(value, at: path.dropFirst(), in: members[key] ?? .null)
                return .object(members)
            case .array(var elements):
                let index = Int(key)!
                elements[index] = replace(value, at: path.dropFirst(), in: elements[index]) ?? .null
                return .array(elements)
            default:
                return node
            }
        }
        return replace(value, at: path[...], in: valid) ?? .null
    }

    @Test("a valid body is read as it is")
    func validBody() throws {
        let order = try OrderRequest.validate(Self.valid)
        #expect(order.customerId == "c-1")
        #expect(order.items == [OrderItem(sku: "BOOK-1", quantity: 2)])
        #expect(order.card == "4242424242424242")
    }

    @Test("the limits are accepted: 64-character SKU, 12 and 19 digits, quantity 1,000,000, 200-character customer")
    func limits() throws {
        let sku = String(repeating: "a", count: 63) + "."
        let cases: [JSONValue] = [
            Self.body(["items", "0", "sku"], .string(sku)),
            Self.body(["items", "0", "sku"], "Az09-_."),
            Self.body(["payment", "card"], .string(String(repeating: "1", count: 12))),
            Self.body(["payment", "card"], .string(String(repeating: "9", count: 19))),
            Self.body(["items", "0", "quantity"], 1_000_000),
            Self.body(["items", "0", "quantity"], 1),
            Self.body(["customerId"], .string(String(repeating: "é", count: 200))),
        ]
        for body in cases {
            #expect(throws: Never.self, "\(body)") { try OrderRequest.validate(body) }
        }
    }

    @Test("each bad input is rejected naming its field", arguments: [
        (["items", "0", "sku"], "BOOK 1", "items[0].sku"),
        (["items", "0", "sku"], .string(String(repeating: "X", count: 65)), "items[0].sku"),
        (["items", "0", "sku"], "BÖÖK-1", "items[0].sku"),
        (["items", "0", "sku"], "BOOK/1", "items[0].sku"),
        (["payment", "card"], "abc", "payment.card"),
        (["payment", "card"], "4242 4242 4242 4242", "payment.card"),
        (["payment", "card"], "42424242424", "payment.card"),
        (["payment", "card"], .string(String(repeating: "4", count: 20)), "payment.card"),
        (["payment", "card"], "４２４２４２４２４２４２４２４２", "payment.card"),
        (["items", "0", "quantity"], .double(1.5), "items[0].quantity"),
        (["items", "0", "quantity"], 1_000_001, "items[0].quantity"),
        (["items", "0", "quantity"], 0, "items[0].quantity"),
        (["items", "0", "quantity"], "2", "items[0].quantity"),
        (["items", "0", "quantity"], nil, "items[0].quantity"),
        (["items", "0", "quantity"], .null, "items[0].quantity"),
        (["customerId"], .string(String(repeating: "c", count: 201)), "customerId"),
        (["customerId"], "", "customerId"),
        (["customerId"], 42, "customerId"),
        (["customerId"], nil, "customerId"),
        (["payment"], nil, "payment"),
        (["payment"], .null, "payment"),
        (["items"], [], "items"),
        (["items"], .null, "items"),
        (["coupon"], "FREE", "coupon"),
        (["items", "0", "price"], 1, "items[0].price"),
        (["payment", "cvc"], "123", "payment.cvc"),
    ] as [([String], JSONValue?, String)])
    func invalid(path: [String], value: JSONValue?, field: String) {
        do {
            let order = try OrderRequest.validate(Self.body(path, value))
            Issue.record("accepted \(order)")
        } catch {
            #expect(error.errors.map(\.field) == [field], "\(error.errors)")
            #expect(error.errors.allSatisfy { !$0.message.isEmpty })
        }
    }

    @Test("over 100 items is rejected as items, without judging every line")
    func tooManyItems() {
        let lines = JSONValue.array(Array(repeating: ["sku": "BOOK-1", "quantity": 1], count: 101))
        do {
            let order = try OrderRequest.validate(Self.body(["items"], lines))
            Issue.record("accepted \(order)")
        } catch {
            #expect(error.errors == [.init(field: "items", message: "must hold at most 100 items")])
        }
    }
}
