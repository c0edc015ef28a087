/// The message schedule's input shared by SHA-1 and SHA-256 (FIPS 180-4): the message padded with `0x80`,
/// zeros and its length in bits to a multiple of 64 bytes, each 64-byte block as 16 big-endian words.
enum MessageBlocks {
    /// The padded message's blocks.
    static func of(_ message: [UInt8]) -> [[UInt32]] {
        var padded = message
        padded.append(0x80)
        while padded.count % 64 != 56 { padded.append(0) }
        let bitLength = UInt64(message.count) * 8
        for shift in stride(from: 56, through: 0, by: -8) { padded.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
        return stride(from: 0, to: padded.count, by: 64).map { chunk in
            (0..<16).map { index in
                let base = chunk + index * 4
                return UInt32(padded[base]) << 24 | UInt32(padded[base + 1]) << 16
                    | UInt32(padded[base + 2]) << 8 | UInt32(padded[base + 3])
            }
        }
    }

    /// Words in lower-case hex, eight digits each: the digest's text.
    static func hex(_ words: [UInt32]) -> String {
        words.map { word in
            let hex = String(word, radix: 16)
            return String(repeating: "0", count: 8 - hex.count) + hex
        }.joined()
    }
}
