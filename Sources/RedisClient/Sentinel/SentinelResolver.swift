import Synchronization
import Telemetry

/// Finds the primary that a group of Sentinels names, following the Redis Sentinel client guidelines: ask
/// the Sentinels in turn (short timeouts) with `SENTINEL get-master-addr-by-name`, confirm with `ROLE` that
/// the server named really is the primary, and move the Sentinel that answered to the front.
///
/// One resolver per Sentinel group and process (`shared(for:configuration:logger:)`), so every connection of
/// the process follows the same answer, concurrent questions share one round of asking, and a failover is
/// one log line per process. Connections `forget` the primary when their connection to it breaks or it
/// answers as a replica; the next connection asks again. It also listens to every Sentinel's `+switch-master`
/// and asks again at once when one announces a new primary for its name; `epoch` then changes, and
/// connections still on the old primary move on their next request, without waiting for it to drop them.
/// Thread-safe: its state is behind a mutex, and the asking runs in a task on the process's Redis connections.
final class SentinelResolver: Sendable {
    /// What the resolver knows and who waits for it.
    private struct State {
        var order: [RedisSentinels.Address]
        var primary: RedisURL.Endpoint?
        var lastPrimary: RedisURL.Endpoint?
        var isAsking = false
        var waiters: [@Sendable (Result<RedisURL.Endpoint, RedisError>) -> Void] = []
    }

    /// The resolvers of this process, one per Sentinel group.
    private static let resolvers = Mutex<[RedisSentinels: SentinelResolver]>([:])

    private let sentinels: RedisSentinels
    private let url: RedisURL
    private let configuration: RedisConfiguration
    private let logger: Logger
    private let state: Mutex<State>
    private let epochCounter = Atomic<UInt64>(0)
    private let announcements = Mutex<[RedisSubscription]>([])

    private init(url: RedisURL, sentinels: RedisSentinels, configuration: RedisConfiguration, logger: Logger) {
        self.url = url
        self.sentinels = sentinels
        // Short timeouts: a Sentinel or server that does not answer quickly is skipped, not waited for.
        self.configuration = RedisConfiguration(
            connectTimeout: min(configuration.connectTimeout, .milliseconds(500)),
            commandTimeout: min(configuration.commandTimeout ?? .milliseconds(500), .milliseconds(500))
        )
        self.logger = logger
        self.state = Mutex(State(order: sentinels.addresses))
    }

    /// The process's resolver for the Sentinels of `url`.
    /// - Parameters:
    ///   - url: a `redis+sentinel://` URL; its user, password and database are the primary's.
    ///   - sentinels: its Sentinels.
    ///   - configuration: the connections' timeouts; the resolver's are at most half a second.
    ///   - logger: where a new primary is logged (the first caller's logger serves the process).
    static func shared(
        for url: RedisURL, sentinels: RedisSentinels, configuration: RedisConfiguration, logger: Logger
    ) -> SentinelResolver {
        resolvers.withLock { resolvers in
            if let resolver = resolvers[sentinels] { return resolver }
            let resolver = SentinelResolver(url: url, sentinels: sentinels, configuration: configuration, logger: logger)
            resolvers[sentinels] = resolver
            resolver.listenForSwitches()
            return resolver
        }
    }

    /// The primary, when known and not forgotten since.
    var primary: RedisURL.Endpoint? { state.withLock { $0.primary } }

    /// Changes each time a different primary is found: a connection opened at an earlier epoch may be on a
    /// server that is no longer the primary.
    var epoch: UInt64 { epochCounter.load(ordering: .acquiring) }

    /// Subscribes to `+switch-master` on every Sentinel; an announcement for this primary's name makes the
    /// resolver ask again at once.
    private func listenForSwitches() {
        let name = sentinels.primaryName
        let subscriptions = sentinels.addresses.map { address in
            let endpoint = RedisURL.Endpoint.tcp(host: address.host, port: address.port)
            return RedisSubscriber(url: RedisURL(endpoint: endpoint, password: sentinels.password),
                                   configuration: configuration, logger: .disabled)
                .start(channels: ["+switch-master"]) { [weak self] event in
                    guard case .message(let message) = event,
                          String(decoding: message.payload, as: UTF8.self).split(separator: " ").first == Substring(name)
                    else { return }
                    self?.switchAnnounced()
                }
        }
        announcements.withLock { $0 = subscriptions }
    }

    /// A Sentinel announced a new primary: forget the current one and ask, so connections move on their next
    /// request.
    private func switchAnnounced() {
        let ask = state.withLock { state -> Bool in
            state.primary = nil
            guard !state.isAsking else { return false }
            state.isAsking = true
            return true
        }
        if ask { Task { await self.ask() } }
    }

    /// Calls `completion` (on some thread) with the primary: at once when known, else after asking the
    /// Sentinels, together with every other caller waiting meanwhile.
    func resolve(_ completion: @escaping @Sendable (Result<RedisURL.Endpoint, RedisError>) -> Void) {
        enum Next { case known(RedisURL.Endpoint), wait, ask }
        let next = state.withLock { state -> Next in
            if let primary = state.primary { return .known(primary) }
            state.waiters.append(completion)
            guard !state.isAsking else { return .wait }
            state.isAsking = true
            return .ask
        }
        switch next {
        case .known(let primary): completion(.success(primary))
        case .wait: break
        case .ask: Task { await self.ask() }
        }
    }

    /// Forgets the primary if it is still `endpoint`: a connection to it broke or it answered as a replica.
    func forget(_ endpoint: RedisURL.Endpoint) {
        state.withLock { state in
            if state.primary == endpoint { state.primary = nil }
        }
    }

    /// Asks the Sentinels, then hands the outcome to every waiter and logs a primary that changed.
    private func ask() async {
        let result = await discover()
        let (waiters, previous) = state.withLock { state in
            defer { state.waiters.removeAll() }
            state.isAsking = false
            let previous = state.lastPrimary
            if case .success(let primary) = result {
                state.primary = primary
                state.lastPrimary = primary
            }
            return (state.waiters, previous)
        }
        if case .success(let primary) = result, primary != previous {
            epochCounter.add(1, ordering: .releasing)
            let metadata: Logger.Metadata = [
                "redis.sentinels": "\(sentinels)", "redis.primary": "\(primary)",
                "redis.previous": "\(previous.map { "\($0)" } ?? "none")",
            ]
            if previous == nil {
                logger.info("Redis primary found through Sentinel", metadata: metadata)
            } else {
                logger.notice("Redis failover: following the new primary", metadata: metadata)
            }
        }
        for waiter in waiters {
            waiter(result)
        }
    }

    /// One round: each Sentinel in turn until one names a primary that confirms its role.
    private func discover() async -> Result<RedisURL.Endpoint, RedisError> {
        var failures: [String] = []
        for address in state.withLock({ $0.order }) {
            switch await primary(namedBy: address) {
            case .success(let primary):
                state.withLock { state in
                    state.order.removeAll { $0 == address }
                    state.order.insert(address, at: 0)
                }
                return .success(primary)
            case .failure(let error):
                failures.append(error.message)
            }
        }
        return .failure(RedisError(.unavailable, """
            no Sentinel named a working primary '\(sentinels.primaryName)': \(failures.joined(separator: "; ")) \
            (are redis-sentinel processes running at \(sentinels.addresses.map(\.description).joined(separator: ", ")) \
            and do they monitor '\(sentinels.primaryName)'? Check the Redis URL and the Sentinel password setting)
            """))
    }

    /// The primary one Sentinel names, once its `ROLE` confirmed it.
    private func primary(namedBy address: RedisSentinels.Address) async -> Result<RedisURL.Endpoint, RedisError> {
        let sentinel = makeSentinelClient(address)
        let named: RedisURL.Endpoint
        do {
            let reply = try await sentinel.send("SENTINEL", "get-master-addr-by-name", sentinels.primaryName)
            guard let parts = reply.array, parts.count == 2, let host = parts[0].string, let port = parts[1].int else {
                return .failure(RedisError(.server, "Sentinel \(address) does not know '\(sentinels.primaryName)'"))
            }
            named = .tcp(host: host, port: port)
        } catch {
            return .failure(RedisError(error.code, "Sentinel \(address): \(error.message)"))
        }
        switch await role(of: named) {
        case .success(let parts) where parts[0].string == "master":
            return .success(named)
        case .success(let parts):
            let role = parts[0].string ?? "?"
            return .failure(RedisError(.server, "Sentinel \(address) named \(named), whose ROLE is \(role)"))
        case .failure(let error):
            return .failure(RedisError(error.code, "Sentinel \(address) named \(named): \(error.message)"))
        }
    }

    /// What every Sentinel and the primary say now; asks them all, for health reports.
    func status() async -> RedisSentinelStatus {
        var status = RedisSentinelStatus(
            primary: nil, roleConfirmed: false, replicas: [], sentinelsReachable: [], sentinelsUnreachable: []
        )
        var named: RedisURL.Endpoint?
        for address in sentinels.addresses {
            do {
                let reply = try await makeSentinelClient(address)
                    .send("SENTINEL", "get-master-addr-by-name", sentinels.primaryName)
                status.sentinelsReachable.append(address.description)
                if named == nil, let parts = reply.array, parts.count == 2, let host = parts[0].string,
                   let port = parts[1].int {
                    named = .tcp(host: host, port: port)
                }
            } catch {
                status.sentinelsUnreachable.append("\(address) (\(error.message))")
            }
        }
        guard let named else { return status }
        status.primary = named.description
        if case .success(let parts) = await role(of: named), parts.first?.string == "master" {
            status.roleConfirmed = true
            status.replicas = (parts.count > 2 ? parts[2].array ?? [] : []).compactMap { replica in
                guard let fields = replica.array, fields.count >= 2, let host = fields[0].string,
                      let port = fields[1].int else { return nil }
                return RedisURL.Endpoint.tcp(host: host, port: port).description
            }
        }
        return status
    }

    /// The server's `ROLE` reply: its role (`master`, `slave`, …) first.
    private func role(of endpoint: RedisURL.Endpoint) async -> Result<[RedisReply], RedisError> {
        let server = RedisClient(url: url.with(endpoint: endpoint), configuration: configuration, logger: .disabled)
        do {
            let reply = try await server.send("ROLE")
            guard let parts = reply.array, parts.first?.string != nil else {
                return .failure(RedisError(.protocolError, "ROLE answered \(reply)"))
            }
            return .success(parts)
        } catch {
            return .failure(error)
        }
    }

    private func makeSentinelClient(_ address: RedisSentinels.Address) -> RedisClient {
        let endpoint = RedisURL.Endpoint.tcp(host: address.host, port: address.port)
        return RedisClient(url: RedisURL(endpoint: endpoint, password: sentinels.password),
                           configuration: configuration, logger: .disabled)
    }
}
