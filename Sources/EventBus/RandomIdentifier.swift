import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Random identifiers from the system's random source: event ids, order ids, payment ids.
///
/// Made by hand, as Foundation's `UUID()` opens and reads `/dev/urandom` on every call on Linux, which cost
/// a quarter of an event's handling. The bytes come from the kernel's generator 4 KiB at a time
/// (`arc4random_buf`, one `getrandom` call on Linux) and each id takes 16 of them, so the process makes one
/// system call per 256 ids where `SystemRandomNumberGenerator` made two per id (they were most of the
/// system calls of an order on the bus). The process never forks, so no two processes share the buffer.
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
        let (first, second) = pool.withLock { $0.next128() }
        let high = first & 0xFFFF_FFFF_FFFF_0FFF | 0x0000_0000_0000_4000
        let low = second & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000
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

    /// The process's buffer of random bytes.
    private static let pool = Mutex(RandomPool())

    /// Random bytes fetched from the system a buffer at a time, handed out 16 at a time.
    private struct RandomPool {
        private var bytes = [UInt8](repeating: 0, count: 4_096)
        private var used = 4_096

        /// The next 128 random bits, refilling the buffer when it is spent.
        mutating func next128() -> (UInt64, UInt64) {
            if used + 16 > bytes.count {
                bytes.withUnsafeMutableBytes { arc4random_buf($0.baseAddress!, $0.count) }
                used = 0
            }
            defer { used += 16 }
            return bytes.withUnsafeBytes { buffer in
                (buffer.loadUnaligned(fromByteOffset: used, as: UInt64.self),
                 buffer.loadUnaligned(fromByteOffset: used + 8, as: UInt64.self))
            }
        }
    }
}
