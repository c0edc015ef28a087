import EventBus

/// The saga's kinds of field: order lines (`ItemsField`) and names (`NamesField`).
extension RecordFields {
    /// A list of order lines, stored as `ItemsField` text.
    /// - Throws: `RecordError` when the text is not such a list.
    public func items(_ name: String) throws(RecordError) -> [OrderItem] {
        guard let text = self[name] else { return [] }
        guard let items = ItemsField.items(from: text) else {
            throw RecordError("field \(name) is not a list of order lines")
        }
        return items
    }

    /// A list of names stored one per line (`NamesField`).
    public func names(_ name: String) -> [String] {
        guard let text = self[name], !text.isEmpty else { return [] }
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
