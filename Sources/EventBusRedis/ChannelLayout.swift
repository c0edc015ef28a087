import EventBus
import RedisClient

/// Where the events of a type are kept on the broker, on either transport: the channel (pub/sub) or the
/// stream (streams) named by the type on one server or behind Sentinels (`order.created`, as the contract in
/// docs/events.md shows), one per `Partition` on a Redis Cluster: the partition's share of it,
/// `order.created{p07}` (`Partition.shard(of:)`), in the slot of that partition's records. So a commit's
/// record, trace log, emitted events (`SPUBLISH` or `XADD`) and acknowledged entry are in one slot, and a
/// message stays on the node that owns it.
///
/// The one place that turns an event type into the name a commit, the ingress's accept, a publisher, a
/// subscriber and a stream reader use. An event belongs to the partition of its order
/// (`partition(of:)`).
public enum ChannelLayout: Sendable, Equatable {
    /// One channel or stream per type, named as the type: plain `PUBLISH`/`SUBSCRIBE`, one `XREADGROUP`.
    case single
    /// One channel or stream per type and partition, `<type>{pNN}`: sharded `SPUBLISH`/`SSUBSCRIBE`, streams
    /// read per partition.
    case partitioned

    /// The layout for a server: `partitioned` on a `redis+cluster://` URL, `single` otherwise.
    public init(url: RedisURL) {
        self = url.clusterSeeds == nil ? .single : .partitioned
    }

    /// Whether each type is split into partitions: on a Redis Cluster.
    public var isPartitioned: Bool { self == .partitioned }

    /// The partitions read separately: every partition on a cluster; one group (`nil`) on one server.
    public var partitions: [Partition?] {
        isPartitioned ? Partition.all : [nil]
    }

    /// The channel or stream of `type` in `partition` (`nil`: the type's only one, on one server).
    public func channel(of type: String, in partition: Partition?) -> String {
        guard isPartitioned, let partition else { return type }
        return partition.shard(of: type)
    }

    /// The channel or stream `event` goes to when it is published on its own: its order's.
    public func channel(of event: CloudEvent) -> String {
        isPartitioned ? channel(of: event.type, in: Self.partition(of: event)) : event.type
    }

    /// The channel of `type` for events of the order (chain) `id`.
    public func channel(of type: String, forOrder id: String) -> String {
        channel(of: type, in: isPartitioned ? Partition(of: id) : nil)
    }

    /// Every channel or stream of `type`: the type itself, or its share of each partition.
    public func channels(of type: String) -> [String] {
        partitions.map { channel(of: type, in: $0) }
    }

    /// The event type a channel or stream carries: `order.created{p07}` → `order.created`; a name without a
    /// partition's tag at its end is the type itself.
    public static func type(ofChannel channel: String) -> String {
        guard channel.utf8.count > 5, channel.utf8.last == UInt8(ascii: "}") else { return channel }
        let tag = channel.utf8.suffix(5)
        guard Partition(taggedKey: String(decoding: tag, as: UTF8.self)) != nil else { return channel }
        return String(decoding: channel.utf8.dropLast(5), as: UTF8.self)
    }

    /// The partition of `event`'s order: its `data.orderId`, else its correlation id, else its id. The order
    /// id comes first because the services' records are keyed by it, and a stream entry is acknowledged in
    /// the commit of its record, which must be in the entry's slot.
    public static func partition(of event: CloudEvent) -> Partition {
        Partition(of: event.data["orderId"]?.stringValue ?? event.correlationID ?? event.id)
    }

    /// The partition of a message published as bytes on `channel` (`publish(raw:on:)`): its event's order's
    /// (`partition(of:)`), or that of the bytes themselves when they are not an event, so that a malformed
    /// message still reaches a consumer, which dead-letters it.
    public static func partition(ofPayload payload: [UInt8], on channel: String) -> Partition {
        (try? CloudEvent(decoding: payload, channel: channel)).map(partition(of:))
            ?? Partition(of: String(decoding: payload, as: UTF8.self))
    }

    /// Glob patterns (ACL `&…`, `~…`) that cover every channel or stream of `type` in either layout:
    /// `order.created` and `order.created{p*}`.
    public static func patterns(of type: String) -> [String] {
        [type, type + "{p*}"]
    }
}
