import Telemetry

/// Where a connection connects: its URL's server, or for a `redis+sentinel://` URL the primary that the
/// Sentinels name now, or for a `redis+cluster://` URL one of its seed nodes, the next one after a failure
/// (for subscriptions; a cluster client connects to each node through `ClusterRouter`). Shared by clients and
/// subscriptions.
struct ServerLocator {
    /// The errors of a server that is not (or not yet) the primary: reconnect to the one the Sentinels name.
    private static let notPrimaryPrefixes = ["READONLY", "LOADING", "MASTERDOWN"]

    let url: RedisURL
    private let resolver: SentinelResolver?
    private let seeds: ClusterSeedRotation?

    init(url: RedisURL, configuration: RedisConfiguration, logger: Logger) {
        self.url = url
        self.seeds = ClusterSeedRotation(url: url)
        self.resolver = url.sentinels.map {
            SentinelResolver.shared(for: url, sentinels: $0, configuration: configuration, logger: logger)
        }
    }

    /// The server to connect to now; `nil` while the Sentinels are asked, and `resolved` is then called on
    /// the loop's thread with `nil` (ask again: the primary is known) or why no primary was found.
    func server(loop: RedisEventLoop, resolved: @escaping @Sendable (RedisError?) -> Void) -> RedisURL? {
        guard let resolver else { return seeds.map { url.with(endpoint: $0.seed) } ?? url }
        if let primary = resolver.primary { return url.with(endpoint: primary) }
        resolver.resolve { result in
            loop.execute {
                if case .failure(let error) = result { resolved(error) } else { resolved(nil) }
            }
        }
        return nil
    }

    /// Changes each time the Sentinels name a different primary (always 0 without Sentinels).
    var epoch: UInt64 { resolver?.epoch ?? 0 }

    /// The connection to `server` broke or it answered as a replica: the next connection asks the Sentinels,
    /// or tries a cluster's next seed.
    func forget(_ server: RedisURL?) {
        guard let server else { return }
        seeds?.failed(server)
        resolver?.forget(server.endpoint)
    }

    /// Whether `reply` says that the server is no longer the primary, when following one.
    func isNotPrimary(_ reply: RedisReply) -> Bool {
        guard resolver != nil, case .error(let message) = reply else { return false }
        return Self.notPrimaryPrefixes.contains { message.hasPrefix($0) }
    }

    /// What the Sentinels and the primary say now; `nil` for a URL without Sentinels.
    func status() async -> RedisSentinelStatus? {
        await resolver?.status()
    }
}
