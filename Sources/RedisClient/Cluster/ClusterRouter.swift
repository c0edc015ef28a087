import Resilience
import Synchronization
import Telemetry

/// The nodes of a Redis Cluster behind one `RedisClient`: one `CommandConnection` per node, the slot map,
/// and the retries a cluster asks for.
///
/// - The map comes from `CLUSTER SHARDS`, asked of the known nodes and then the URL's seeds; concurrent
///   callers that need it share one request.
/// - A command goes to the primary serving the slot of its `routingKey` (a command without one to the same
///   primary every time).
/// - `MOVED`: the slot is patched in the map, the map is asked for again in the background, and the command
///   is sent to the named node. `ASK`: sent once to the named node after `ASKING`, the map unchanged.
/// - `TRYAGAIN`, `CLUSTERDOWN`, and a node that cannot be reached (its requests were not sent): a backoff,
///   the map asked for again, and another try, until `RedisConfiguration.clusterRetryTimeout` has passed, so
///   commands wait while a replica is promoted. A connection lost with requests in flight fails them as on
///   one server (they may or may not have run), after asking for the map again.
final class ClusterRouter: Sendable {
    typealias Address = RedisURL.Address

    /// Where the client connects: the seeds, the login.
    let url: RedisURL
    private let seeds: [Address]
    private let configuration: RedisConfiguration
    private let logger: Logger
    /// The loop that drives every node's connection.
    let loop: RedisEventLoop
    private let state = Mutex(State())
    /// Redirections (`MOVED`, `ASK`) one command follows at most: more means the nodes disagree for long.
    private static let maximumRedirections = 16
    private static let asking = RedisCommand(name: "ASKING", capacity: 0)

    private struct State {
        var topology: ClusterTopology?
        var connections: [Address: CommandConnection] = [:]
        var refresh: Task<Result<ClusterTopology, RedisError>, Never>?
    }

    init(url: RedisURL, seeds: [Address], configuration: RedisConfiguration, logger: Logger) {
        self.url = url
        self.seeds = seeds
        self.configuration = configuration
        self.logger = logger
        self.loop = configuration.eventLoop
    }

    // MARK: - Commands

    /// Sends commands together to the node serving the slot of `key` (the primary for keyless commands when
    /// `key` is `nil`), following redirections of the first command's reply: the others (e.g. a `WAIT` after
    /// an `FCALL`) ride along.
    func send(_ commands: [RedisCommand], routing key: [UInt8]?) async throws(RedisError) -> [RedisReply] {
        var redirect: (address: Address, asking: Bool)?
        var redirections = 0
        var backoff = Backoff(initial: .milliseconds(20), maximum: .milliseconds(500))
        let deadline = ContinuousClock.now + configuration.clusterRetryTimeout
        while true {
            let address: Address
            if let redirect { address = redirect.address } else { address = try await primary(for: key) }
            let asking = redirect?.asking == true
            redirect = nil
            switch await connection(to: address).send(asking ? [Self.asking] + commands : commands) {
            case .success(var replies):
                if asking { replies.removeFirst() }
                switch ClusterRedirection(replies[0]) {
                case nil:
                    return replies
                case .moved(let slot, let owner)?:
                    redirections += 1
                    guard redirections <= Self.maximumRedirections else { return replies }
                    state.withLock { $0.topology?.assign(slot, to: owner) }
                    _ = refresh()
                    redirect = (owner, false)
                case .ask(_, let node)?:
                    redirections += 1
                    guard redirections <= Self.maximumRedirections else { return replies }
                    redirect = (node, true)
                case .tryAgain?, .clusterDown?:
                    guard ContinuousClock.now < deadline else { return replies }
                    _ = refresh()
                    try? await Task.sleep(for: backoff.next())
                }
            case .failure(let error):
                _ = refresh()
                guard Self.wasNotSent(error), ContinuousClock.now < deadline else { throw error }
                try? await Task.sleep(for: backoff.next())
            }
        }
    }

    /// Sends each node its share of the commands at once, then each command that was redirected again on its
    /// own; the replies come back in the commands' order.
    func pipeline(_ commands: [RedisCommand]) async throws(RedisError) -> [RedisReply] {
        var shares: [Address: [Int]] = [:]
        for (index, command) in commands.enumerated() {
            try await shares[primary(for: command.routingKey), default: []].append(index)
        }
        var replies = [RedisReply?](repeating: nil, count: commands.count)
        var failure: RedisError?
        await withTaskGroup(of: ([Int], Result<[RedisReply], RedisError>).self) { group in
            for (address, indices) in shares {
                let connection = connection(to: address)
                let share = indices.map { commands[$0] }
                group.addTask { (indices, await connection.send(share)) }
            }
            for await (indices, result) in group {
                switch result {
                case .success(let shareReplies):
                    for (index, reply) in zip(indices, shareReplies) { replies[index] = reply }
                case .failure(let error) where !Self.wasNotSent(error):
                    failure = error
                case .failure:
                    break
                }
            }
        }
        if let failure {
            _ = refresh()
            throw failure
        }
        for index in commands.indices where replies[index].map({ ClusterRedirection($0) != nil }) ?? true {
            replies[index] = try await send([commands[index]], routing: commands[index].routingKey)[0]
        }
        return replies.map { $0 ?? .null }
    }

    /// Sends commands to the node at `address`, as they are: for commands that go to every primary in turn
    /// (`SCAN`), which no slot routes.
    func send(_ commands: [RedisCommand], to address: Address) async throws(RedisError) -> [RedisReply] {
        try await connection(to: address).send(commands).get()
    }

    /// Every primary of the map (asked for first if needed).
    func primaries() async throws(RedisError) -> [Address] {
        if let primaries = state.withLock({ $0.topology?.primaries }) { return primaries }
        return try await refresh().value.get().primaries
    }

    /// Whether a request failed before it was written: trying again cannot run it twice.
    private static func wasNotSent(_ error: RedisError) -> Bool {
        switch error.code {
        case .connectionRefused, .connectionFailed, .unavailable: true
        default: false
        }
    }

    // MARK: - Nodes and topology

    /// The primary serving the slot of `key`, or the keyless primary; the map is asked for first if needed.
    private func primary(for key: [UInt8]?) async throws(RedisError) -> Address {
        let slot = key.map { HashSlot(key: $0) }
        func lookup(_ topology: ClusterTopology) -> Address? {
            guard let slot else { return topology.keylessPrimary }
            return topology.primary(for: slot)
        }
        if let address = state.withLock({ $0.topology.flatMap(lookup) }) { return address }
        guard let address = try await lookup(refresh().value.get()) else {
            throw RedisError(.unavailable, """
                no primary of the Redis Cluster at \(url) serves \(slot.map { "\($0)" } ?? "any slot") (is the \
                cluster still being set up? `redis-cli --cluster check` on a node tells)
                """)
        }
        return address
    }

    /// The map as a node tells it now (`CLUSTER SHARDS`), for a `ShardedSubscription` placing its channels.
    func currentTopology() async throws(RedisError) -> ClusterTopology {
        try await refresh().value.get()
    }

    /// The connection to a node, made on first use.
    private func connection(to address: Address) -> CommandConnection {
        state.withLock { state in
            if let connection = state.connections[address] { return connection }
            let connection = CommandConnection(
                url: url.with(endpoint: .tcp(host: address.host, port: address.port)),
                configuration: configuration, logger: logger
            )
            state.connections[address] = connection
            return connection
        }
    }

    /// Asks for the map again unless a request for it is out already; its result replaces the map.
    private func refresh() -> Task<Result<ClusterTopology, RedisError>, Never> {
        state.withLock { state in
            if let refresh = state.refresh { return refresh }
            let candidates = (state.topology?.nodes ?? []) + seeds
            let refresh = Task {
                let result = await self.topology(askingFirstOf: candidates)
                self.state.withLock { state in
                    state.refresh = nil
                    if case .success(let topology) = result { state.topology = topology }
                }
                return result
            }
            state.refresh = refresh
            return refresh
        }
    }

    /// `CLUSTER SHARDS` of the first node that answers it.
    private func topology(askingFirstOf candidates: [Address]) async -> Result<ClusterTopology, RedisError> {
        var failures: [String] = []
        var asked: Set<Address> = []
        for address in candidates where asked.insert(address).inserted {
            let reply = await connection(to: address).send([RedisCommand(name: "CLUSTER", arguments: ["SHARDS"])])
            do {
                switch try reply.get()[0] {
                case .error(let message):
                    failures.append("\(address): \(message)")
                case let shards:
                    return .success(try ClusterTopology(shards: shards, answeredBy: address))
                }
            } catch {
                failures.append("\(address): \(error.message)")
            }
        }
        let error = RedisError(.unavailable, """
            no node of the Redis Cluster at \(url) told its slots (\(failures.joined(separator: "; "))); are the \
            seed nodes of the URL cluster nodes, and is one of them up?
            """)
        logger.warning(
            "cannot read the Redis Cluster's topology", metadata: ["redis.url": "\(url)", "error": error.message]
        )
        return .failure(error)
    }

    // MARK: - Closing

    /// Closes every node's connection, failing requests in flight with `error`.
    func close(failing error: RedisError) {
        for connection in state.withLock({ Array($0.connections.values) }) {
            connection.close(failing: error)
        }
    }

    /// Closes every node's connection for good, as the client is gone.
    func shutDown() {
        for connection in state.withLock({ Array($0.connections.values) }) {
            connection.shutDown()
        }
    }
}
