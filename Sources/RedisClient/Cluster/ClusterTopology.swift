/// Which primary serves each hash slot of a Redis Cluster, and every node known, from `CLUSTER SHARDS`.
///
/// A pure value: the router asks a node for it, looks slots up in it, and patches one slot after `MOVED`
/// until the next refresh. Tested without a server.
struct ClusterTopology: Sendable, Equatable {
    typealias Address = RedisURL.Address

    /// The primaries, numbered by their place here.
    private(set) var primaries: [Address] = []
    /// Every node, primaries first, then replicas: the ones to ask for the topology again.
    private(set) var nodes: [Address] = []
    /// For each slot, the number of its primary in `primaries`, or `unassigned`.
    private var owners = [UInt16](repeating: unassigned, count: HashSlot.count)
    private static let unassigned = UInt16.max

    /// Reads a `CLUSTER SHARDS` reply (RESP2: each shard and each node a flat list of names and values).
    /// In each shard the primary is the node whose role is `master`, a healthy one when there are two (a
    /// failed primary and the replica promoted in its place). A node without an address (no endpoint and no
    /// IP: a node alone in its cluster does not know its own IP) is reached at the host of `answerer`, the
    /// node that was asked, as the cluster specification says clients should.
    /// - Throws: `RedisError` `.protocolError` when the reply is not shaped like one.
    init(shards reply: RedisReply, answeredBy answerer: Address) throws(RedisError) {
        func malformed(_ what: String) -> RedisError {
            RedisError(.protocolError, "Redis answered CLUSTER SHARDS with \(what); is it Redis 7.0 or later?")
        }
        guard let shards = reply.array else { throw malformed("\(reply), not a list of shards") }
        for shard in shards {
            let fields = try Self.fields(of: shard, malformed: malformed)
            guard let slots = fields["slots"]?.array?.compactMap(\.int), slots.count % 2 == 0,
                  let nodes = fields["nodes"]?.array
            else { throw malformed("a shard without slots or nodes: \(shard)") }
            var primary: (address: Address, isOnline: Bool)?
            for node in nodes {
                let node = try Self.fields(of: node, malformed: malformed)
                guard let port = node["port"]?.int ?? node["tls-port"]?.int else {
                    throw malformed("a node without a port: \(node)")
                }
                let host = [node["endpoint"]?.string, node["ip"]?.string].compactMap({ $0 })
                    .first(where: { !$0.isEmpty && $0 != "?" }) ?? answerer.host
                let address = Address(host: host, port: port)
                let isOnline = node["health"]?.string == "online"
                if isOnline { self.nodes.append(address) }
                if node["role"]?.string == "master", primary == nil || (isOnline && primary?.isOnline == false) {
                    primary = (address, isOnline)
                }
            }
            guard let primary, !slots.isEmpty else { continue }
            let number = UInt16(primaries.count)
            primaries.append(primary.address)
            for range in stride(from: 0, to: slots.count, by: 2) {
                guard let first = HashSlot(rawValue: UInt16(clamping: slots[range])),
                      let last = HashSlot(rawValue: UInt16(clamping: slots[range + 1])), first <= last
                else { throw malformed("the slot range \(slots[range])-\(slots[range + 1])") }
                for slot in Int(first.rawValue)...Int(last.rawValue) { owners[slot] = number }
            }
        }
        guard !primaries.isEmpty else { throw malformed("no shard serving any slot (was the cluster created?)") }
        nodes = primaries + nodes.filter { !primaries.contains($0) }
    }

    /// The primary that serves `slot`, if any does.
    func primary(for slot: HashSlot) -> Address? {
        let owner = owners[Int(slot.rawValue)]
        return owner == Self.unassigned ? nil : primaries[Int(owner)]
    }

    /// The primary for a command without a key: always the same one (the first listed), so that what such
    /// commands set up, e.g. a function library loaded for a keyless `FCALL`, is found there next time.
    var keylessPrimary: Address { primaries[0] }

    /// Records what a `MOVED` reply said: `slot` is served by `address` now.
    mutating func assign(_ slot: HashSlot, to address: Address) {
        if let number = primaries.firstIndex(of: address) {
            owners[Int(slot.rawValue)] = UInt16(number)
        } else {
            owners[Int(slot.rawValue)] = UInt16(primaries.count)
            primaries.append(address)
            nodes.insert(address, at: 0)
        }
    }

    /// A flat RESP2 list of names and values as a dictionary.
    private static func fields(
        of reply: RedisReply, malformed: (String) -> RedisError
    ) throws(RedisError) -> [String: RedisReply] {
        guard let list = reply.array, list.count % 2 == 0 else { throw malformed("\(reply), not a list of fields") }
        var fields: [String: RedisReply] = [:]
        for index in stride(from: 0, to: list.count, by: 2) {
            guard let name = list[index].string else { throw malformed("a field name \(list[index])") }
            fields[name] = list[index + 1]
        }
        return fields
    }
}
