/// Random identifiers from the system's random source: event ids, order ids, payment ids.
///
/// Made by hand, as Foundation's `UUID()` opens and reads `/dev/urandom` on every call on Linux, which cost
/// a quarter of an event's handling.
public enum RandomIdentifier {
    /// A version 4 UUID in lowercase, e.g. `3f2b…-…`.
    public static func uuid() -> String {
        text(dashed: true)
    }

    /// `prefix` and the 32 hex digits of a version 4 UUID, without dashes: an opaque id such as `ord_3f2b…`.
    public static func compact(prefix: String) -> String {
        prefix + text(dashed: false)
    }

    private static func text(dashed: Bool) -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() & 0xFFFF_FFFF_FFFF_0FFF | 0x0000_0000_0000_4000
        let low = generator.next() & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for nibble in 0..<32 {
            if dashed && (nibble == 8 || nibble == 12 || nibble == 16 || nibble == 20) {
                text.append(UInt8(ascii: "-"))
            }
            let word = nibble < 16 ? high : low
            let digit = UInt8(truncatingIfNeeded: word >> UInt64(60 - 4 * (nibble % 16))) & 0xF
            text.append(digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10)
        }
        return String(decoding: text, as: UTF8.self)
    }
}
