/// The hash slot of a key in a Redis Cluster: CRC16 (XMODEM) of the key, or of its hash tag, modulo 16384.
///
/// A hash tag is the part between the first `{` and the next `}` when it is not empty: `{order:7}.items` and
/// `{order:7}.total` share a slot, so one command or function may touch both (the cluster specification,
/// "Hash tags").
public struct HashSlot: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    /// How many slots a cluster has.
    public static let count = 16_384

    /// The slot's number, from 0 to 16383.
    public let rawValue: UInt16

    /// A slot by number; `nil` outside 0…16383.
    public init?(rawValue: UInt16) {
        guard Int(rawValue) < Self.count else { return nil }
        self.rawValue = rawValue
    }

    /// The slot that serves `key`.
    public init(key: some Collection<UInt8>) {
        rawValue = Self.crc16(Self.hashedPart(of: key)) & UInt16(Self.count - 1)
    }

    /// The slot that serves `key`, hashed as UTF-8.
    public init(key: String) {
        self.init(key: key.utf8)
    }

    /// The bytes that are hashed: the hash tag when there is a non-empty one, else the whole key.
    static func hashedPart<Key: Collection<UInt8>>(of key: Key) -> Key.SubSequence {
        guard let open = key.firstIndex(of: UInt8(ascii: "{")) else { return key[...] }
        let tagStart = key.index(after: open)
        guard let close = key[tagStart...].firstIndex(of: UInt8(ascii: "}")), close != tagStart else { return key[...] }
        return key[tagStart..<close]
    }

    /// CRC16/XMODEM (polynomial 0x1021, initial value 0), as Redis computes it.
    public static func crc16(_ bytes: some Sequence<UInt8>) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc = (crc << 8) ^ table[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ byte)]
        }
        return crc
    }

    private static let table: [UInt16] = (0..<256).map { index in
        var crc = UInt16(index) << 8
        for _ in 0..<8 {
            crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1
        }
        return crc
    }

    public static func < (lhs: HashSlot, rhs: HashSlot) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "slot \(rawValue)" }
}
