import EventBus
import RedisClient

/// How the channels an event type is emitted on are named: the type itself on one server (`order.created`),
/// one channel per `Partition` on a Redis Cluster (`order.created{p07}`, in the slot of that partition's
/// records, so a commit's `SPUBLISH` is in its own slot and a message stays on the node that owns it).
///
/// The one place that turns an event type into the name a commit, the ingress's accept, a publisher and a
/// subscriber use.
public enum ChannelLayout: Sendable, Equatable {
    /// One channel per type, named as the type: plain `PUBLISH`/`SUBSCRIBE`.
    case single
    /// One channel per type and partition, `<type>{pNN}`: sharded `SPUBLISH`/`SSUBSCRIBE`.
    case partitioned

    /// The layout for a server: `partitioned` on a `redis+cluster://` URL, `single` otherwise.
    public init(url: RedisURL) {
        self = url.clusterSeeds == nil ? .single : .partitioned
    }

    /// The channel of `type` for events of the order (chain) `id`.
    public func channel(of type: String, forOrder id: String) -> String {
        switch self {
        case .single: type
        case .partitioned: Partition(of: id).shard(of: type)
        }
    }

    /// The channel of `type` for a commit of the record `key`, in the partition its hash tag names (a key
    /// without one, which only a single server has, keeps the type's name).
    public func channel(of type: String, forKey key: String) -> String {
        switch self {
        case .single: type
        case .partitioned: Partition(taggedKey: key)?.shard(of: type) ?? type
        }
    }

    /// Every channel of `type` a subscriber listens to: the type, or its share of each partition.
    public func channels(of type: String) -> [String] {
        switch self {
        case .single: [type]
        case .partitioned: Partition.all.map { $0.shard(of: type) }
        }
    }

    /// The event type of a channel name: `order.created{p07}` → `order.created`.
    public func type(ofChannel channel: String) -> String {
        guard self == .partitioned, channel.hasSuffix("}"), Partition(taggedKey: channel) != nil,
              let open = channel.lastIndex(of: "{") else { return channel }
        return String(channel[..<open])
    }

    /// Glob patterns (ACL `&…`, `~…`) that cover every channel of `type` in either layout: `order.created`
    /// and `order.created{p*}`.
    public static func patterns(of type: String) -> [String] {
        [type, type + "{p*}"]
    }
}
