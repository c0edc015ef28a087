import EventBus

/// The ids the ingress gives orders: `ord_` and the 32 hex digits of a version 4 UUID.
///
/// An order placed with an `Idempotency-Key` gets an id in the key's partition, so the key's claim
/// (`ingress:idempotency:{p12}:<key>`) and the order's keys share a Redis Cluster slot and the accept is
/// one function call on one node. The id is drawn at random, then its last three hex digits are set to the
/// first value, counting up from `000`, that puts it in the partition: the FNV-1a partition of the id
/// depends on those digits so that one of the first 312 values reaches each partition whatever the other
/// digits are (checked for every case by `OrderIdentifierTests`). An id keeps its format, its version and
/// variant bits, and 110 random bits.
enum OrderIdentifier {
    /// How many ids the last three hex digits can make.
    private static let suffixes = 16 * 16 * 16
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// A new order id, in `partition` when one is given.
    static func draw(in partition: Partition? = nil) -> String {
        let id = RandomIdentifier.compact(prefix: "ord_")
        guard let partition else { return id }
        var bytes = Array(id.utf8)
        let last = bytes.count - 1
        for suffix in 0..<suffixes {
            bytes[last - 2] = hexDigits[suffix >> 8]
            bytes[last - 1] = hexDigits[(suffix >> 4) & 0xF]
            bytes[last] = hexDigits[suffix & 0xF]
            if Partition(utf8: bytes) == partition { return String(decoding: bytes, as: UTF8.self) }
        }
        preconditionFailure("the last three hex digits of an order id reach every partition")
    }
}
