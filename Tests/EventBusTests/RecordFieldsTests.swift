import EventBus
import SagaEvents
import Testing

/// Records as flat fields: order lines and names survive the round trip, and broken fields name themselves.
@Suite("Record fields")
struct RecordFieldsTests {
    @Test("order lines round-trip, and a line break in a SKU becomes a space")
    func itemsRoundTrip() {
        let items = [OrderItem(sku: "MUG-1", quantity: 2), OrderItem(sku: "BOOK 1 ✓", quantity: 1_000_000)]
        #expect(ItemsField.items(from: ItemsField.text(items)) == items)
        #expect(ItemsField.text([OrderItem(sku: "A\nB\rC", quantity: 1)]) == "1 A B C")
        #expect(ItemsField.items(from: "") == [])
        #expect(ItemsField.items(from: "two MUG-1") == nil)
        #expect(ItemsField.items(from: "2MUG-1") == nil)
    }

    @Test("fields read with errors that name them")
    func fieldsName() throws {
        let fields = RecordFields(["amount": "12", "bad": "x", "seen": "a\nb", "items": "nope"])
        #expect(try fields.integer("amount") == 12)
        #expect(try fields.integer("missing") == nil)
        #expect(throws: RecordError("field bad is \"x\", not an integer")) { try fields.integer("bad") }
        #expect(throws: RecordError("field status is missing")) { try fields.required("status") }
        #expect(throws: RecordError("field items is not a list of order lines")) { try fields.items("items") }
        #expect(fields.names("seen") == ["a", "b"])
        #expect(fields.names("none") == [])
    }

    @Test("a stored record's changes are the fields that differ and those removed")
    func changes() {
        let old = StoredRecord(version: 3, fields: ["status": "reserved", "card": "4242", "amount": "10"])
        let new = StoredRecord(version: 0, fields: ["status": "confirmed", "amount": "10", "paymentId": "p"])
        let changes = new.changes(from: old)
        #expect(changes.set.map(\.name) == ["paymentId", "status"])
        #expect(changes.removed == ["card"])
        #expect(new.changes(from: nil).set.count == 3)
    }

    @Test("applying the changes to any old record gives the new one; both lists sorted, nothing unchanged listed")
    func changesRoundTrip() {
        var generator = SystemRandomNumberGenerator()
        let names = ["a", "b", "status", "amount", "card", "seen", "z"]
        func randomFields() -> [String: String] {
            var fields: [String: String] = [:]
            for name in names where Bool.random(using: &generator) {
                fields[name] = ["1", "2", "x"].randomElement(using: &generator)!
            }
            return fields
        }
        for _ in 0..<500 {
            let old = Bool.random(using: &generator) ? StoredRecord(version: 1, fields: randomFields()) : nil
            let new = StoredRecord(version: 0, fields: randomFields())
            let changes = new.changes(from: old)
            var applied = old?.fields ?? [:]
            for field in changes.set { applied[field.name] = field.value }
            for name in changes.removed { applied[name] = nil }
            #expect(applied == new.fields)
            #expect(changes.set.map(\.name) == changes.set.map(\.name).sorted())
            #expect(changes.removed == changes.removed.sorted())
            #expect(changes.set.allSatisfy { old?.fields[$0.name] != $0.value })
            #expect(changes.removed.allSatisfy { old?.fields[$0] != nil })
        }
    }
}
