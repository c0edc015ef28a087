#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What can be ordered: SKU, name, price and initial stock, from `Config/catalog.json`.
public struct Catalog: Codable, Sendable, Equatable {
    /// One product.
    public struct Item: Codable, Sendable, Equatable {
        public var sku: String
        public var name: String
        /// Price of one unit in minor units of the catalog's currency.
        public var price: Int
        /// Units in stock on first start; never applied again once the SKU is seeded.
        public var stock: Int

        public init(sku: String, name: String, price: Int, stock: Int) {
            self.sku = sku
            self.name = name
            self.price = price
            self.stock = stock
        }
    }

    /// ISO 4217 code of every price.
    public var currency: String
    /// The products.
    public var items: [Item]

    public init(currency: String = "USD", items: [Item]) {
        self.currency = currency
        self.items = items
    }

    private enum CodingKeys: String, CodingKey {
        case currency, items
    }

    /// Decodes a catalog; `currency` may be left out and is then `USD`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.currency = try container.decodeIfPresent(String.self, forKey: .currency) ?? "USD"
        self.items = try container.decode([Item].self, forKey: .items)
    }

    /// Reads a catalog from JSON and checks it: SKUs unique and non-empty, prices and stock ≥ 0.
    /// - Throws: `CatalogError` saying which entry is wrong.
    public init(json: Data) throws(CatalogError) {
        do {
            self = try JSONDecoder().decode(Catalog.self, from: json)
        } catch {
            throw CatalogError(message: "not a catalog: \(error)")
        }
        var seen = Set<String>()
        for (index, item) in items.enumerated() {
            guard !item.sku.isEmpty else { throw CatalogError(message: "items[\(index)].sku is empty") }
            guard seen.insert(item.sku).inserted else {
                throw CatalogError(message: "items[\(index)].sku \(item.sku) appears twice")
            }
            guard item.price >= 0, item.stock >= 0 else {
                throw CatalogError(message: "items[\(index)] (\(item.sku)): price and stock must be ≥ 0")
            }
        }
    }

    /// The product with this SKU.
    public func item(_ sku: String) -> Item? {
        items.first { $0.sku == sku }
    }
}

/// A catalog file that cannot be used.
public struct CatalogError: Error, Sendable, CustomStringConvertible {
    /// What is wrong.
    public var message: String
    public var description: String { message }
}
