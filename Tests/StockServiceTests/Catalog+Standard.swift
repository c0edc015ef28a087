import StockService

extension Catalog {
    /// The contract's default catalog: BOOK-1 (1250, plenty), MUG-1 (900, 50 in stock), PEN-1 (150, none).
    static let standard = Catalog(items: [
        Catalog.Item(sku: "BOOK-1", name: "Book", price: 1250, stock: 1_000_000),
        Catalog.Item(sku: "MUG-1", name: "Mug", price: 900, stock: 50),
        Catalog.Item(sku: "PEN-1", name: "Pen", price: 150, stock: 0),
    ])
}
