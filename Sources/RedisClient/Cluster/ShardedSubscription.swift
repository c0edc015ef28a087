import Resilience
import Synchronization
import Telemetry

/// A sharded subscription (`SSUBSCRIBE`) on a Redis Cluster: each channel is subscribed on the primary that
/// serves its slot, with one subscription connection per node holding that node's channels.
///
/// It follows the cluster: when a node gives a channel up (Redis sends `sunsubscribe` by itself when the
/// slot moved away; `SSUBSCRIBE` on a node that does not serve it is answered `MOVED`) or a node's connection
/// breaks, the map is asked for again (`CLUSTER SHARDS`, through a `ClusterRouter`) and every channel is
/// placed on the node serving it now, with a backoff while some channel has no reachable node (a failed
/// primary until its replica is promoted). Placing happens in one task, one pass at a time.
///
/// It reports `.subscribed` when every channel is confirmed on its node, after the start and again after
/// channels were moved or a node came back; `.disconnected` when a node's connection breaks.
final class ShardedSubscription: Sendable {
    typealias Address = RedisURL.Address

    private let url: RedisURL
    private let configuration: RedisConfiguration
    private let logger: Logger
    private let handler: @Sendable (RedisSubscriber.Event) -> Void
    private let router: ClusterRouter
    private let state: Mutex<State>

    /// One node's share.
    private struct Node {
        let subscription: RedisSubscription
        var channels: Set<String>
        var isSubscribed = false
        /// Its connection broke and has not subscribed again since.
        var isDown = false
    }

    private struct State {
        var channels: Set<String>
        var nodes: [Address: Node] = [:]
        var reportedSubscribed = false
        var isCancelled = false
        /// Bumped by each change the placing task must see; `placed` is the last one a pass started from.
        var requested = 1
        var placed = 0
        var wake: UnsafeContinuation<Void, Never>?
        var waiters: [(generation: Int, continuation: UnsafeContinuation<Void, Never>)] = []
    }

    init(
        url: RedisURL, seeds: [Address], configuration: RedisConfiguration, logger: Logger, channels: [String],
        handler: @escaping @Sendable (RedisSubscriber.Event) -> Void
    ) {
        self.url = url
        self.configuration = configuration
        self.logger = logger
        self.handler = handler
        self.router = ClusterRouter(url: url, seeds: seeds, configuration: configuration, logger: logger)
        self.state = Mutex(State(channels: Set(channels)))
    }

    /// Starts placing channels, until `cancel()`.
    func start() {
        Task { await run() }
    }

    /// Ends the subscription and every node's connection.
    func cancel() {
        let (nodes, wake, waiters) = state.withLock { state in
            state.isCancelled = true
            defer { state.nodes = [:]; state.wake = nil; state.waiters = [] }
            return (Array(state.nodes.values), state.wake, state.waiters)
        }
        for node in nodes { node.subscription.cancel() }
        wake?.resume()
        for waiter in waiters { waiter.continuation.resume() }
        let router = router
        router.loop.execute { router.shutDown() }
    }

    /// Adds or removes channels; returns once a placing pass that saw the change is done.
    func change(adding: Bool, channels: [String]) async {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let wake = state.withLock { state -> UnsafeContinuation<Void, Never>?? in
                guard !state.isCancelled else { return .none }
                for channel in channels {
                    if adding { state.channels.insert(channel) } else { state.channels.remove(channel) }
                }
                state.requested += 1
                state.waiters.append((state.requested, continuation))
                defer { state.wake = nil }
                return .some(state.wake)
            }
            switch wake {
            case .none: continuation.resume()
            case .some(let wake): wake?.resume()
            }
        }
    }

    // MARK: - Placing

    /// Places the channels, then again after each change, and after a backoff while they are not all placed.
    /// Every pass but the first waits a backoff, which grows until every channel is confirmed: a node that
    /// refuses channels again and again (a slot being migrated answers `ASK`) is not asked in a busy loop.
    private func run() async {
        var backoff = Backoff(initial: .milliseconds(20), maximum: .seconds(1))
        var isFirst = true
        while true {
            if !isFirst { try? await Task.sleep(for: backoff.next()) }
            isFirst = false
            let generation = state.withLock { state -> Int? in
                guard !state.isCancelled else { return nil }
                state.placed = state.requested
                return state.requested
            }
            guard let generation else { return }
            let settled = await place()
            resumeWaiters(upTo: generation)
            if state.withLock(\.reportedSubscribed) { backoff.reset() }
            if settled { await waitForChange() }
        }
    }

    /// One pass: asks for the map, moves each channel whose node changed, subscribes new nodes and drops
    /// nodes left without channels. Whether every channel is on a node that was reachable.
    private func place() async -> Bool {
        let topology: ClusterTopology
        do {
            topology = try await router.currentTopology()
        } catch {
            return false
        }
        var wanted: [Address: Set<String>] = [:]
        var unplaced = 0
        let (channels, current) = state.withLock { ($0.channels, $0.nodes) }
        for channel in channels {
            if let owner = topology.primary(for: HashSlot(key: channel)) {
                wanted[owner, default: []].insert(channel)
            } else {
                unplaced += 1
            }
        }
        for (address, node) in current {
            let target = wanted[address] ?? []
            guard !target.isEmpty else {
                node.subscription.cancel()
                state.withLock { _ = $0.nodes.removeValue(forKey: address) }
                continue
            }
            let removed = node.channels.subtracting(target)
            state.withLock { $0.nodes[address]?.channels = target }
            if !removed.isEmpty { await node.subscription.unsubscribe(channels: Array(removed)) }
            // All of them: the connection subscribes those it lacks (one the node gave up meanwhile, too).
            await node.subscription.subscribe(channels: Array(target))
        }
        for (address, target) in wanted where current[address] == nil {
            connect(to: address, channels: target)
        }
        let settled = state.withLock { state in
            state.placed == state.requested && state.nodes.values.allSatisfy(\.isSubscribed)
        }
        if settled { reportIfSubscribed() }
        return unplaced == 0 && state.withLock { state in !state.nodes.values.contains(where: \.isDown) }
    }

    /// Opens a node's connection, reporting to this subscription; it is in `nodes` before it can report.
    private func connect(to address: Address, channels: Set<String>) {
        let connection = SubscriptionConnection(
            url: url.with(endpoint: .tcp(host: address.host, port: address.port)), configuration: configuration,
            logger: logger, channels: Array(channels), patterns: [],
            handler: { [weak self] event in self?.nodeReported(event, address: address) },
            lost: { [weak self] channels in self?.nodeLost(channels, address: address) }
        )
        let isCancelled = state.withLock { state in
            if !state.isCancelled {
                state.nodes[address] = Node(subscription: RedisSubscription(connection), channels: channels)
            }
            return state.isCancelled
        }
        if !isCancelled { connection.loop.execute { connection.start() } }
    }

    // MARK: - What the nodes report, on the loop's thread

    private func nodeReported(_ event: RedisSubscriber.Event, address: Address) {
        switch event {
        case .message:
            handler(event)
        case .subscribed:
            state.withLock { state in
                state.nodes[address]?.isSubscribed = true
                state.nodes[address]?.isDown = false
            }
            reportIfSubscribed()
        case .disconnected:
            let report = state.withLock { state in
                state.nodes[address]?.isSubscribed = false
                state.nodes[address]?.isDown = true
                defer { state.reportedSubscribed = false }
                return state.reportedSubscribed
            }
            if report { handler(event) }
            requestPlacing()
        }
    }

    private func nodeLost(_ channels: [String], address: Address) {
        logger.info("sharded channels moved off a Redis Cluster node, placing them again",
                    metadata: ["redis.node": "\(address.host):\(address.port)", "channels": "\(channels.count)"])
        state.withLock { state in
            state.nodes[address]?.channels.subtract(channels)
            state.reportedSubscribed = false
        }
        requestPlacing()
    }

    /// Reports `.subscribed` once every node confirmed its channels and no change waits to be placed.
    private func reportIfSubscribed() {
        let report = state.withLock { state in
            guard !state.reportedSubscribed, !state.isCancelled, state.placed == state.requested, !state.nodes.isEmpty,
                  state.nodes.values.allSatisfy(\.isSubscribed),
                  state.nodes.values.reduce(0, { $0 + $1.channels.count }) == state.channels.count
            else { return false }
            state.reportedSubscribed = true
            return true
        }
        if report { handler(.subscribed) }
    }

    private func requestPlacing() {
        let wake = state.withLock { state in
            state.requested += 1
            defer { state.wake = nil }
            return state.wake
        }
        wake?.resume()
    }

    private func waitForChange() async {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let ready = state.withLock { state in
                guard !state.isCancelled, state.placed == state.requested else { return true }
                state.wake = continuation
                return false
            }
            if ready { continuation.resume() }
        }
    }

    private func resumeWaiters(upTo generation: Int) {
        let done = state.withLock { state in
            let done = state.waiters.filter { $0.generation <= generation }
            state.waiters.removeAll { $0.generation <= generation }
            return done
        }
        for waiter in done { waiter.continuation.resume() }
    }
}
