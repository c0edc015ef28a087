import JSONBytes

/// The rules `docs/asyncapi.yaml` sets for the fields of the saga's payloads, checked while each payload is
/// read from an event (so a broken rule dead-letters the event with the rule as its reason) and by the
/// ingress for `POST /orders` (`docs/openapi.yaml` has the same schemas).
///
/// Lengths count Unicode scalars, as JSON Schema counts characters.
public enum PayloadRules {
    /// How long an identifier (`orderId`, `customerId`, `paymentId`) may be.
    public static let identifierLengths = 1...200
    /// How long a SKU may be; a SKU is ASCII letters, digits, `-`, `_` and `.` (`^[A-Za-z0-9._-]{1,64}$`).
    public static let skuLengths = 1...64
    /// The quantities one line may ask for.
    public static let quantities = 1...1_000_000
    /// How many digits a card number has (`^[0-9]{12,19}$`).
    public static let cardDigits = 12...19
    /// How many lines an order, a reservation or a release has.
    public static let itemCounts = 1...100

    /// Whether `sku` is 1 to 64 ASCII letters, digits, `-`, `_` or `.`.
    public static func isWellFormedSKU(_ sku: String) -> Bool {
        var count = 0
        for byte in sku.utf8 {
            guard isDigit(byte) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || byte == 0x2D || byte == 0x5F
                || byte == 0x2E
            else { return false }
            count += 1
        }
        return skuLengths.contains(count)
    }

    /// Whether `card` is 12 to 19 ASCII digits.
    public static func isWellFormedCard(_ card: String) -> Bool {
        cardDigits.contains(card.utf8.count) && card.utf8.allSatisfy(isDigit)
    }

    /// Whether `last4` is the 4 ASCII digits a vaulted card shows.
    public static func isWellFormedLast4(_ last4: String) -> Bool {
        last4.utf8.count == 4 && last4.utf8.allSatisfy(isDigit)
    }

    /// Whether `currency` is three capital ASCII letters (ISO 4217).
    public static func isWellFormedCurrency(_ currency: String) -> Bool {
        currency.utf8.count == 3 && currency.utf8.allSatisfy { $0 >= 0x41 && $0 <= 0x5A }
    }

    /// Whether `identifier` has 1 to 200 characters.
    public static func isWellFormedIdentifier(_ identifier: String) -> Bool {
        // Most identifiers are short ASCII: their byte count decides without counting scalars.
        let bytes = identifier.utf8.count
        if bytes <= identifierLengths.upperBound { return bytes >= identifierLengths.lowerBound }
        return identifierLengths.contains(identifier.unicodeScalars.count)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    // MARK: Checks while reading

    /// Throws a `JSONReaderError` naming `member` with `rule` unless `holds`.
    static func require(_ holds: Bool, _ member: String, at reader: borrowing JSONReader, _ rule: @autoclosure () -> String)
        throws(JSONReaderError)
    {
        guard holds else { throw JSONReaderError(.invalidValue, at: reader.offset, path: [.member(member)], rule()) }
    }

    static func identifier(_ value: String, _ member: String, at reader: borrowing JSONReader) throws(JSONReaderError) {
        try require(isWellFormedIdentifier(value), member, at: reader,
                    "must be \(identifierLengths.lowerBound) to \(identifierLengths.upperBound) characters")
    }

    static func sku(_ value: String, at reader: borrowing JSONReader) throws(JSONReaderError) {
        try require(isWellFormedSKU(value), "sku", at: reader,
                    "must be 1 to \(skuLengths.upperBound) letters, digits, '-', '_' or '.', found \"\(value.prefix(80))\"")
    }

    static func quantity(_ value: Int, at reader: borrowing JSONReader) throws(JSONReaderError) {
        try require(quantities.contains(value), "quantity", at: reader,
                    "must be from \(quantities.lowerBound) to \(quantities.upperBound), found \(value)")
    }

    static func money(_ value: Int, _ member: String, at reader: borrowing JSONReader) throws(JSONReaderError) {
        try require(value >= 0, member, at: reader, "must not be negative, found \(value)")
    }

    static func currency(_ value: String, at reader: borrowing JSONReader) throws(JSONReaderError) {
        try require(isWellFormedCurrency(value), "currency", at: reader, "must be three capital letters (ISO 4217)")
    }

    static func items(_ count: Int, at reader: borrowing JSONReader) throws(JSONReaderError) {
        try require(itemCounts.contains(count), "items", at: reader,
                    "must hold \(itemCounts.lowerBound) to \(itemCounts.upperBound) items, found \(count)")
    }
}
