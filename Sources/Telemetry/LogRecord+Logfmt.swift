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
        let appended: Void? = value.utf8.withContiguousStorageIfAvailable { bytes in
            appendLogfmtValue(bytes, to: &line)
        }
        if appended == nil {
            Array(value.utf8).withUnsafeBufferPointer { appendLogfmtValue($0, to: &line) }
        }
    }

    private static func appendLogfmtValue(_ bytes: UnsafeBufferPointer<UInt8>, to line: inout [UInt8]) {
        guard bytes.isEmpty || needsQuotes(bytes) else {
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

    /// Whether the UTF-8 holds a space, `=`, `"`, an ASCII line break (line feed, vertical tab, form feed,
    /// carriage return) or one beyond ASCII (U+0085, U+2028, U+2029), in one pass: every byte is compared
    /// once with `=`, the highest of the ASCII ones, and only those at or below it, or a line break's last
    /// byte, are looked at more closely.
    private static func needsQuotes(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for index in bytes.indices {
            let byte = bytes[index]
            if byte <= UInt8(ascii: "=") {
                if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "=") || byte == UInt8(ascii: "\"")
                    || (0x0A...0x0D).contains(byte) {
                    return true
                }
            } else if byte == 0x85 {
                if index >= 1 && bytes[index - 1] == 0xC2 { return true }
            } else if byte == 0xA8 || byte == 0xA9 {
                if index >= 2 && bytes[index - 1] == 0x80 && bytes[index - 2] == 0xE2 { return true }
            }
        }
        return false
    }
}
