import EventBus
import RedisClient

/// Where the events of a type are kept on the broker.
///
/// On one server (or behind Sentinels): the stream or channel named by the type, `order.created`, as the
/// contract (docs/events.md) shows. On a Redis Cluster: one per partition, the partition's share of it,
/// `order.created{p07}` (`Partition.shard(of:)`), in the slot of the partition's records, so that a commit's
/// record, trace log, emitted events and acknowledged entry are in one slot. An event belongs to the
/// partition of its order: `data.orderId` (what the services' record keys are built from), else its
/// correlation id, else its own id (`partition(of:)`).
public struct EventKeyLayout: Sendable, Equatable {
    /// Whether each type is split into partition streams: on a Redis Cluster.
    public let isPartitioned: Bool

    /// The layout of one server (`false`) or of a Redis Cluster (`true`).
    public init(partitioned: Bool) {
        isPartitioned = partitioned
    }

    /// The layout for the broker at `url`: partitioned for a `redis+cluster://` URL.
    public init(url: RedisURL) {
        self.init(partitioned: url.clusterSeeds != nil)
    }

    /// The partitions read separately: every partition on a cluster; one group (`nil`) on one server.
    public var partitions: [Partition?] {
        isPartitioned ? Partition.all : [nil]
    }

    /// The stream of events of `type` in `partition` (`nil`: the type's only stream, on one server).
    public func key(of type: String, in partition: Partition?) -> String {
        guard isPartitioned, let partition else { return type }
        return partition.shard(of: type)
    }

    /// The stream `event` goes to.
    public func key(of event: CloudEvent) -> String {
        isPartitioned ? key(of: event.type, in: Self.partition(of: event)) : event.type
    }

    /// Every stream of `type`: the type itself, or its partition streams.
    public func keys(of type: String) -> [String] {
        partitions.map { key(of: type, in: $0) }
    }

    /// The event type a stream carries: `order.created{p07}` → `order.created`; a name without a partition's
    /// tag at its end is the type itself.
    public static func type(ofKey key: String) -> String {
        guard key.utf8.count > 5, key.utf8.last == UInt8(ascii: "}") else { return key }
        let tag = key.utf8.suffix(5)
        guard Partition(taggedKey: String(decoding: tag, as: UTF8.self)) != nil else { return key }
        return String(decoding: key.utf8.dropLast(5), as: UTF8.self)
    }

    /// The partition of `event`'s order: its `data.orderId`, else its correlation id, else its id. The
    /// order id comes first because the services' records are keyed by it, and an entry is acknowledged in
    /// the commit of its record, which must be in the entry's slot.
    public static func partition(of event: CloudEvent) -> Partition {
        Partition(of: event.data["orderId"]?.stringValue ?? event.correlationID ?? event.id)
    }
}
