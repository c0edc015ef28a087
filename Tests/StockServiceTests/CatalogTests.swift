#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import StockService
import Testing

@Suite struct CatalogTests {
    @Test func theShippedCatalogHoldsWhatTheContractPromises() throws {
        let file = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Config/catalog.json")
        let catalog = try Catalog(json: try Data(contentsOf: file))
        #expect(catalog.currency == "USD")
        let book = try #require(catalog.item("BOOK-1"))
        #expect((book.price, book.stock) == (1250, 1_000_000))
        let mug = try #require(catalog.item("MUG-1"))
        #expect((mug.price, mug.stock) == (900, 50))
        let pen = try #require(catalog.item("PEN-1"))
        #expect((pen.price, pen.stock) == (150, 0))
    }

    @Test func aCatalogIsReadFromJSON() throws {
        let json = #"{"currency":"EUR","items":[{"sku":"A","name":"a","price":1,"stock":2}]}"#
        let catalog = try Catalog(json: Data(json.utf8))
        #expect(catalog.currency == "EUR")
        #expect(catalog.item("A") == Catalog.Item(sku: "A", name: "a", price: 1, stock: 2))
        #expect(catalog.item("B") == nil)
    }

    @Test
    func currencyDefaultsToUSD() throws {
        let catalog = try Catalog(json: Data(#"{"items":[{"sku":"A","name":"a","price":1,"stock":2}]}"#.utf8))
        #expect(catalog.currency == "USD")
    }

    @Test(arguments: [
        (#"{"currency":"USD","items":[{"sku":"","name":"a","price":1,"stock":1}]}"#, "items[0].sku is empty"),
        (#"{"currency":"USD","items":[{"sku":"A","name":"a","price":1,"stock":1},"#
            + #"{"sku":"A","name":"b","price":2,"stock":2}]}"#, "items[1].sku A appears twice"),
        (#"{"currency":"USD","items":[{"sku":"A","name":"a","price":-1,"stock":1}]}"#, "items[0] (A)"),
        (#"{"currency":"USD","items":[{"sku":"A","name":"a","price":1,"stock":-1}]}"#, "items[0] (A)"),
        (#"{"currency":"USD","items":[{"sku":"A","name":"a","stock":1}]}"#, "not a catalog"),
        ("[]", "not a catalog"),
    ])
    func aBadCatalogIsRefusedWithTheEntryToBlame(json: String, message: String) {
        #expect {
            _ = try Catalog(json: Data(json.utf8))
        } throws: { error in
            (error as? CatalogError)?.message.contains(message) == true
        }
    }
}
