/// The logfmt line written straight as UTF-8 bytes: the writer formats every `info` line of a busy process,
/// so it works on bytes, with no `String` built per field and no walk over `Character`s.
extension LogRecord {
    /// Appends the line in logfmt (`logfmt`), without a line break, to `line`.
    public func appendLogfmt(to line: inout [UInt8]) {
        line.append(contentsOf: "time=".utf8)
        line.append(contentsOf: RFC3339.string(from: time).utf8)
        line.append(contentsOf: " level=".utf8)
        line.append(contentsOf: level.description.utf8)
        line.append(contentsOf: " logger=".utf8)
        Self.appendLogfmtValue(label, to: &line)
        line.append(contentsOf: " msg=".utf8)
        Self.appendLogfmtValue(message, to: &line)
        for key in metadata.keys.sorted() {
            line.append(UInt8(ascii: " "))
            line.append(contentsOf: key.utf8)
            line.append(UInt8(ascii: "="))
            Self.appendLogfmtValue(metadata[key]!, to: &line)
        }
    }

    /// Appends a value as is, or in quotes with `\`, `"` and line feeds escaped when it is empty or holds a
    /// space, `=`, `"` or a line break.
    private static func appendLogfmtValue(_ value: String, to line: inout [UInt8]) {
        let bytes = value.utf8
        guard bytes.isEmpty || bytes.contains(where: needsQuotes) || containsUnicodeLineBreak(bytes) else {
            line.append(contentsOf: bytes)
            return
        }
        line.append(UInt8(ascii: "\""))
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\\"): line.append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "\""): line.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\n"): line.append(contentsOf: #"\n"#.utf8)
            default: line.append(byte)
            }
        }
        line.append(UInt8(ascii: "\""))
    }

    /// A space, `=`, `"`, or an ASCII line break (line feed, vertical tab, form feed, carriage return).
    private static func needsQuotes(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "=") || byte == UInt8(ascii: "\"")
            || (0x0A...0x0D).contains(byte)
    }

    /// Whether the UTF-8 holds U+0085, U+2028 or U+2029, the line breaks beyond ASCII.
    private static func containsUnicodeLineBreak(_ bytes: String.UTF8View) -> Bool {
        var previous: (UInt8, UInt8) = (0, 0)
        for byte in bytes {
            if previous.1 == 0xC2 && byte == 0x85 { return true }
            if previous == (0xE2, 0x80) && (byte == 0xA8 || byte == 0xA9) { return true }
            previous = (previous.1, byte)
        }
        return false
    }
}
