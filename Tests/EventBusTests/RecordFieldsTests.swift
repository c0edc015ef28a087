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
}
