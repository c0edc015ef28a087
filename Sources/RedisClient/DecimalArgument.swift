/// An integer as the bytes of a Redis argument (its decimal text), for `Int.redisArgument`.
///
/// Commands on the hot path carry many small integers (counts, `KEYS` indices, versions, `NUMKEYS`): those
/// below `cachedCount` come from a table built once, so sharing one costs a retain instead of an allocation;
/// others are written digit by digit into one array, without a `String` in between.
enum DecimalArgument {
    /// How many values, from 0, the table holds.
    static let cachedCount = 1_024

    private static let cached: [[UInt8]] = (0..<cachedCount).map { format($0) }

    /// The decimal bytes of `value`, e.g. `-12` → `"-12"`.
    static func bytes(of value: Int) -> [UInt8] {
        if value >= 0, value < cachedCount { return cached[value] }
        return format(value)
    }

    private static func format(_ value: Int) -> [UInt8] {
        // The magnitude as UInt, so Int.min has one too; at most 20 digits and a sign.
        var magnitude = value.magnitude
        var digits: [UInt8] = []
        digits.reserveCapacity(21)
        repeat {
            digits.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        if value < 0 { digits.append(UInt8(ascii: "-")) }
        digits.reverse()
        return digits
    }
}
