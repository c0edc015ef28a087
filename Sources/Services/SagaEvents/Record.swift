import EventBus

/// A service's record for one order, kept as flat text fields (`StoredRecord`): a Redis hash whose
/// fields a commit writes one by one, so nothing is decoded or encoded as a whole document.
public protocol Record: Sendable, Equatable {
    /// Reads the record from its stored fields.
    /// - Throws: `RecordError` naming the field that is missing or cannot be read (a corrupted key).
    init(fields: RecordFields) throws(RecordError)

    /// The record as fields to store; an optional value that is absent has no field.
    var fields: [String: String] { get }
}

extension Record {
    /// Reads a stored record; `nil` when there is none.
    /// - Throws: `RecordError` when the stored fields are not this record.
    public init?(stored: StoredRecord?) throws(RecordError) {
        guard let stored else { return nil }
        try self.init(fields: RecordFields(stored.fields))
    }
}

/// A stored record's fields, read with the conversions records need and errors that name the field.
public struct RecordFields: Sendable {
    private let values: [String: String]

    /// Wraps stored fields.
    public init(_ values: [String: String]) {
        self.values = values
    }

    /// The field's text, when present.
    public subscript(name: String) -> String? { values[name] }

    /// The field's text.
    /// - Throws: `RecordError` when it is absent.
    public func required(_ name: String) throws(RecordError) -> String {
        guard let value = values[name] else { throw RecordError("field \(name) is missing") }
        return value
    }

    /// The field as an integer, when present.
    /// - Throws: `RecordError` when it is present but not an integer.
    public func integer(_ name: String) throws(RecordError) -> Int? {
        guard let text = values[name] else { return nil }
        guard let value = Int(text) else { throw RecordError("field \(name) is \"\(text)\", not an integer") }
        return value
    }

    /// The field as one of an enumeration's raw values.
    /// - Throws: `RecordError` when it is absent or not one of them.
    public func required<Value: RawRepresentable>(_ name: String, as type: Value.Type) throws(RecordError) -> Value
    where Value.RawValue == String {
        let text = try required(name)
        guard let value = Value(rawValue: text) else { throw RecordError("field \(name) has an unknown value \"\(text)\"") }
        return value
    }

    /// The field as one of an enumeration's raw values, when present.
    /// - Throws: `RecordError` when it is present but not one of them.
    public func optional<Value: RawRepresentable>(_ name: String, as type: Value.Type) throws(RecordError) -> Value?
    where Value.RawValue == String {
        guard values[name] != nil else { return nil }
        return try required(name, as: type)
    }

    /// A list of order lines, stored as `ItemsField` text.
    /// - Throws: `RecordError` when the text is not such a list.
    public func items(_ name: String) throws(RecordError) -> [OrderItem] {
        guard let text = values[name] else { return [] }
        guard let items = ItemsField.items(from: text) else {
            throw RecordError("field \(name) is not a list of order lines")
        }
        return items
    }

    /// A list of names stored one per line (`NamesField`).
    public func names(_ name: String) -> [String] {
        guard let text = values[name], !text.isEmpty else { return [] }
        return text.split(separator: "\n").map(String.init)
    }
}

/// Order lines as one record field: `<quantity> <sku>` per line. A SKU cannot hold a line break: the
/// stock service only reserves SKUs of its catalog, and the order service keeps what it is sent, so
/// line breaks in a SKU are written as a space (the read model shows such an unknown SKU near enough).
public enum ItemsField {
    /// The field's text for `items`.
    public static func text(_ items: [OrderItem]) -> String {
        var text = ""
        for item in items {
            if !text.isEmpty { text += "\n" }
            text += String(item.quantity)
            text += " "
            text += item.sku.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D })
                ? item.sku.replacing("\n", with: " ").replacing("\r", with: " ") : item.sku
        }
        return text
    }

    /// The order lines in `text`; `nil` when a line is not `<quantity> <sku>`.
    public static func items(from text: String) -> [OrderItem]? {
        guard !text.isEmpty else { return [] }
        var items: [OrderItem] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            guard let space = line.firstIndex(of: " "), let quantity = Int(line[..<space]) else { return nil }
            items.append(OrderItem(sku: String(line[line.index(after: space)...]), quantity: quantity))
        }
        return items
    }
}

/// Names (event types, template names) as one record field, one per line.
public enum NamesField {
    /// The field's text for `names`.
    public static func text(_ names: [String]) -> String {
        names.joined(separator: "\n")
    }
}
