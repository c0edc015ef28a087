/// Masks card numbers (PANs) in text of any shape, so that what is kept or shown holds at most the last four
/// digits of a card: trace logs, dead letters, `switchboard tail`, event streams, log lines.
///
/// A card number is taken to be any run of at least `minimumDigits` ASCII digits, optionally in groups of 3 to 6
/// digits split by one space or `-` (`4242 4242 4242 4242`), that stands as a word of its own: neither end touches a
/// letter, a digit or `_`, directly or through a `-`. So it is found as a JSON string (`"4242424242424242"`),
/// a JSON number (`4242424242424242`, which becomes the string `"************4242"` so the JSON stays
/// valid), at any depth of nested JSON, in malformed JSON and in text that is not JSON at all, while
/// identifiers that merely contain digits (`ord_3f2b…`, UUIDs, stream entry ids such as `1764553523000-0`)
/// are left alone. Every digit of the run but
/// the last `visibleDigits` becomes `*`; the separators stay. Digits written as JSON `\u` escapes are not
/// recognised.
///
/// One linear pass; input without a card number is returned as it is, without copying.
public enum CardNumberMask {
    /// The fewest digits a run must have to be masked (the shortest card number has 12).
    public static let minimumDigits = 12
    /// The digits left visible at the end of a masked run.
    public static let visibleDigits = 4
    /// What each hidden digit becomes.
    public static let maskByte = UInt8(ascii: "*")
    /// How many digits each group of a card written in groups has (`4242 4242 4242 4242`, `3782 822463 10005`).
    static let cardGroupDigits = 3...6

    /// `bytes` with every card number masked.
    public static func masked(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        var copied = 0
        forEachCardNumber(in: bytes) { start, end, quoted in
            if output.isEmpty { output.reserveCapacity(bytes.count + 2) }
            output.append(contentsOf: bytes[copied..<start])
            if quoted { output.append(UInt8(ascii: "\"")) }
            var remaining = bytes[start..<end].lazy.filter(isDigit).count
            for byte in bytes[start..<end] {
                guard isDigit(byte) else {
                    output.append(byte)
                    continue
                }
                output.append(remaining > visibleDigits ? maskByte : byte)
                remaining -= 1
            }
            if quoted { output.append(UInt8(ascii: "\"")) }
            copied = end
        }
        guard copied > 0 else { return bytes }
        output.append(contentsOf: bytes[copied...])
        return output
    }

    /// `text` with every card number masked.
    public static func masked(_ text: String) -> String {
        let bytes = Array(text.utf8)
        let result = masked(bytes)
        return result.count == bytes.count && result == bytes ? text : String(decoding: result, as: UTF8.self)
    }

    /// Whether `bytes` hold a card number this mask has masked: at least `minimumDigits - visibleDigits`
    /// mask bytes (with the separators a card may have) followed by `visibleDigits` digits. Such text cannot
    /// stand for the card any more, e.g. a dead letter that cannot be replayed as it was.
    public static func containsMaskedNumber(_ bytes: [UInt8]) -> Bool {
        var masks = 0
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == maskByte {
                masks += 1
            } else if masks > 0 && isSeparator(byte) {
                // A group separator inside a masked run.
            } else {
                if masks >= minimumDigits - visibleDigits && isDigit(byte) { return true }
                masks = 0
            }
            index += 1
        }
        return false
    }

    /// Calls `body` with the bounds of each card number in `bytes`, in order, and whether it stands where a
    /// JSON number would (outside a string, after `:`, `[` or `,`), so its masked form needs quotes.
    private static func forEachCardNumber(in bytes: [UInt8], _ body: (Int, Int, Bool) -> Void) {
        var inString = false
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if inString && byte == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if byte == UInt8(ascii: "\"") {
                inString.toggle()
                index += 1
                continue
            }
            guard isDigit(byte), !touchesWord(bytes, before: index) else {
                index += 1
                continue
            }
            var end = index
            var digits = 0
            var separated = false
            var group = 0
            var grouped = true
            var firstGroup: (end: Int, digits: Int)?
            while end < bytes.count {
                if isDigit(bytes[end]) {
                    digits += 1
                    group += 1
                } else if isSeparator(bytes[end]) && end + 1 < bytes.count && isDigit(bytes[end + 1]) {
                    separated = true
                    if firstGroup == nil { firstGroup = (end, digits) }
                    grouped = grouped && cardGroupDigits.contains(group)
                    group = 0
                } else {
                    break
                }
                end += 1
            }
            // Groups a card is not written in (`1764553523000-0`, a stream entry id): the first group alone.
            if separated && !(grouped && cardGroupDigits.contains(group)), let firstGroup {
                (end, digits, separated) = (firstGroup.end, firstGroup.digits, false)
            }
            if digits >= minimumDigits && !touchesWord(bytes, after: end) {
                body(index, end, !inString && !separated && followsJSONPunctuation(bytes, at: index))
            }
            index = end
        }
    }

    /// Whether the byte before `index` is a word byte, or a `-` joining it to a word (`c-424…`, a UUID's group).
    private static func touchesWord(_ bytes: [UInt8], before index: Int) -> Bool {
        guard index > 0 else { return false }
        if isWordByte(bytes[index - 1]) { return true }
        return bytes[index - 1] == UInt8(ascii: "-") && index > 1 && isWordByte(bytes[index - 2])
    }

    /// Whether the byte at `index` is a word byte, or a `-` joining the run to a word that follows.
    private static func touchesWord(_ bytes: [UInt8], after index: Int) -> Bool {
        guard index < bytes.count else { return false }
        if isWordByte(bytes[index]) { return true }
        return bytes[index] == UInt8(ascii: "-") && index + 1 < bytes.count && isWordByte(bytes[index + 1])
    }

    /// Whether the last byte before `index` that is not whitespace is `:`, `[` or `,`.
    private static func followsJSONPunctuation(_ bytes: [UInt8], at index: Int) -> Bool {
        var before = index - 1
        while before >= 0, bytes[before] == UInt8(ascii: " ") || bytes[before] == UInt8(ascii: "\n")
            || bytes[before] == UInt8(ascii: "\t") || bytes[before] == UInt8(ascii: "\r")
        {
            before -= 1
        }
        guard before >= 0 else { return false }
        return bytes[before] == UInt8(ascii: ":") || bytes[before] == UInt8(ascii: "[")
            || bytes[before] == UInt8(ascii: ",")
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private static func isSeparator(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "-") }

    /// ASCII letters, digits and `_`.
    private static func isWordByte(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || byte == UInt8(ascii: "_")
    }
}
