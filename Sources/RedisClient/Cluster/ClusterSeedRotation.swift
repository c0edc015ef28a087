/// The seed nodes of a `redis+cluster://` URL taken in turn by a subscription: it connects to the current
/// one, and to the next after that one failed. A plain `PUBLISH` reaches every node of a cluster, so any
/// node will do. Touched only on the event loop's thread, which is why it may be `@unchecked Sendable`.
final class ClusterSeedRotation: @unchecked Sendable {
    private let seeds: [RedisURL.Address]
    private var current = 0

    /// The rotation of a cluster URL's seeds; `nil` for other URLs.
    init?(url: RedisURL) {
        guard let seeds = url.clusterSeeds, !seeds.isEmpty else { return nil }
        self.seeds = seeds
    }

    /// The seed to connect to now.
    var seed: RedisURL.Endpoint { .tcp(host: seeds[current].host, port: seeds[current].port) }

    /// The connection to `server` failed: when it is the current seed, the next one is current.
    func failed(_ server: RedisURL) {
        guard server.endpoint == seed else { return }
        current = (current + 1) % seeds.count
    }
}
