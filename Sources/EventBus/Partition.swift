/// One of the fixed number of partitions every per-order key is in, so that all of one order's keys share a
/// Redis Cluster hash slot and each service's commit for an order is one Redis Function call on one node.
///
/// An order's partition is its id's FNV-1a hash modulo `count`, written into keys as the hash tag `{p07}`
/// (`order:{p07}:o-1`): Redis Cluster hashes only what is between the braces, so every key with the same tag
/// is in the same slot. On a single server the braces are plain characters: one key layout everywhere.
/// `count` is fixed for a system's lifetime (changing it moves every order to other keys; see docs/cluster.md).
public struct Partition: Hashable, Sendable {
    /// How many partitions there are: 64, so a cluster can grow to 64 primaries before one holds none.
    public static let count = 64
    /// Every partition, `p00` to `p63`.
    public static let all = (0..<count).map { Partition(uncheckedIndex: $0) }
    private static let tags = (0..<count).map { "{p\($0 < 10 ? "0" : "")\($0)}" }

    /// The partition's number, `0..<count`.
    public let index: Int

    private init(uncheckedIndex index: Int) {
        self.index = index
    }

    /// The partition of an order (or any chain of events) with id `id`.
    public init(of id: String) {
        self.init(utf8: id.utf8)
    }

    /// The partition of the id whose UTF-8 bytes are `id`, e.g. of an id being made, without a `String`.
    public init(utf8 id: some Sequence<UInt8>) {
        var hash: UInt32 = 2_166_136_261
        for byte in id {
            hash = (hash ^ UInt32(byte)) &* 16_777_619
        }
        self.init(uncheckedIndex: Int(hash % UInt32(Self.count)))
    }

    /// The partition's hash tag, `{p07}`, which names it in keys.
    public var hashTag: String { Self.tags[index] }

    /// The partition whose hash tag `key` carries (`order:{p07}:o-1` → `p07`), or nil for a key without one.
    public init?(taggedKey key: String) {
        guard let open = key.utf8.firstIndex(of: UInt8(ascii: "{")) else { return nil }
        let tag = key.utf8[open...].prefix(5)
        guard tag.count == 5, tag.last == UInt8(ascii: "}"),
              let index = Self.tags.firstIndex(where: { $0.utf8.elementsEqual(tag) }) else { return nil }
        self.init(uncheckedIndex: index)
    }

    /// The name of this partition's share of an event channel or stream on a Redis Cluster: the channel
    /// followed by the hash tag, `order.created{p07}`, so it is in the slot of the partition's records.
    public func shard(of channel: String) -> String {
        channel + hashTag
    }

    /// The hash tag of `id`'s partition: `Partition(of: id).hashTag`.
    public static func tag(of id: String) -> String {
        Partition(of: id).hashTag
    }
}
