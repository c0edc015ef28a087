/// An error reply of a cluster node that says to send the command again: elsewhere, or later.
enum ClusterRedirection: Sendable, Equatable {
    /// `MOVED <slot> <host:port>`: the slot is served by another node for good; ask there and refresh the map.
    case moved(HashSlot, RedisURL.Address)
    /// `ASK <slot> <host:port>`: the key is being migrated; ask that node once, after `ASKING`, map unchanged.
    case ask(HashSlot, RedisURL.Address)
    /// `TRYAGAIN`: a multi-key command during a migration; ask again after a moment.
    case tryAgain
    /// `CLUSTERDOWN`: the cluster cannot serve (e.g. a primary failed and no replica was promoted yet).
    case clusterDown

    /// The redirection an error reply asks for; `nil` for any other reply.
    init?(_ reply: RedisReply) {
        guard case .error(let message) = reply else { return nil }
        if message.hasPrefix("TRYAGAIN") {
            self = .tryAgain
            return
        }
        if message.hasPrefix("CLUSTERDOWN") {
            self = .clusterDown
            return
        }
        let parts = message.split(separator: " ")
        guard parts.count == 3, parts[0] == "MOVED" || parts[0] == "ASK",
              let number = UInt16(parts[1]), let slot = HashSlot(rawValue: number),
              let colon = parts[2].lastIndex(of: ":"), let port = Int(parts[2][parts[2].index(after: colon)...])
        else { return nil }
        var host = parts[2][..<colon]
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        let address = RedisURL.Address(host: String(host), port: port)
        self = parts[0] == "MOVED" ? .moved(slot, address) : .ask(slot, address)
    }
}
