import Foundation
import RedisClient

/// A Redis Cluster on 127.0.0.1: `primaries` primaries with `replicas` replicas each, every node a
/// `redis-server --cluster-enabled yes` in its own temporary folder on a free port, with an append-only file,
/// joined by `redis-cli --cluster create`. Use `withRedisCluster(primaries:replicas:_:)`, which always stops
/// every node and removes every folder, even when the test fails.
public final class RedisCluster: Sendable {
    /// Every node, as started; which are primaries changes with failovers (`primary(serving:)` tells).
    public let nodes: [RedisServer]

    private init(nodes: [RedisServer]) {
        self.nodes = nodes
    }

    /// Starts the nodes, creates the cluster, and waits until every node says `cluster_state:ok`, knows every
    /// other node, and every replica is in sync with its primary.
    /// - Parameters:
    ///   - primaries: how many primaries (at least 3, as `redis-cli --cluster create` asks).
    ///   - replicas: how many replicas each primary has.
    public static func start(primaries: Int = 3, replicas: Int = 1) async throws -> RedisCluster {
        var nodes: [RedisServer] = []
        do {
            for _ in 0..<primaries * (1 + replicas) {
                nodes.append(try await RedisServer.start(RedisServer.Options(
                    listener: .tcp, appendOnly: true,
                    extraArguments: ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                                     "--cluster-node-timeout", "2000"]
                )))
            }
            let cluster = RedisCluster(nodes: nodes)
            let created = try await ChildProcess.run(
                Executable.redisCLI,
                ["--cluster", "create"] + nodes.map(\.address)
                    + ["--cluster-replicas", String(replicas), "--cluster-yes"],
                timeout: .seconds(30)
            )
            guard created.exitCode == 0 else { throw RedisServerError("redis-cli --cluster create failed: \(created)") }
            try await cluster.waitUntilHealthy()
            return cluster
        } catch {
            for node in nodes { node.shutDown() }
            throw error
        }
    }

    /// `redis+cluster://` with every node as a seed.
    public var urlString: String {
        "redis+cluster://" + nodes.map(\.address).joined(separator: ",")
    }

    /// The URL, parsed.
    public var url: RedisURL {
        RedisURL(endpoint: .cluster(seeds: nodes.map { RedisURL.Address(host: "127.0.0.1", port: $0.port) }))
    }

    /// A client of the cluster.
    /// - Parameter configuration: timeouts, backoff, how long to retry while a slot is not served.
    public func makeClient(configuration: RedisConfiguration = RedisConfiguration()) -> RedisClient {
        RedisClient(url: url, configuration: configuration, logger: .disabled)
    }

    /// The running node that is the primary serving `slot` now, as the first running node sees it.
    public func primary(serving slot: HashSlot) async throws -> RedisServer {
        for node in nodes where node.isRunning {
            // `<id> <ip:port@cport> <flags> <primary> <ping> <pong> <epoch> <link> <slot ranges…>`
            for line in try await node.cli("CLUSTER", "NODES").split(separator: "\n") {
                let fields = line.split(separator: " ")
                guard fields.count > 8, fields[2].contains("master"), !fields[2].contains("fail"),
                      let port = fields[1].split(separator: "@").first?.split(separator: ":").last.flatMap({ Int($0) }),
                      let server = nodes.first(where: { $0.port == port })
                else { continue }
                let serves = fields[8...].contains { range in
                    let bounds = range.split(separator: "-").compactMap { Int($0) }
                    guard let first = bounds.first else { return false }
                    return (first...(bounds.last ?? first)).contains(Int(slot.rawValue))
                }
                if serves { return server }
            }
        }
        throw RedisServerError("no running node names the primary of \(slot)")
    }

    /// A node's cluster ID (`CLUSTER MYID`).
    public func id(of node: RedisServer) async throws -> String {
        try await node.cli("CLUSTER", "MYID")
    }

    /// Kills the primary serving `slot` (`SIGKILL`, as `kill -9`) and waits until a replica serves the slot
    /// and every running node says `cluster_state:ok` again.
    /// - Returns: the killed node.
    @discardableResult
    public func killPrimary(
        serving slot: HashSlot, within timeout: Duration = .seconds(30)
    ) async throws -> RedisServer {
        let victim = try await primary(serving: slot)
        victim.crash()
        let promoted = await eventually(within: timeout, every: .milliseconds(100)) {
            guard try await primary(serving: slot).port != victim.port else { return false }
            return try await unhealthyNode() == nil
        }
        guard promoted else {
            throw TestTimeout("no replica took over \(slot) within \(timeout) after node \(victim.address) was killed")
        }
        return victim
    }

    /// Moves `count` slots from the node `from` to the node `to` with `redis-cli --cluster reshard`
    /// (keys and all, as an operator would), then waits until the cluster is healthy again.
    public func reshard(count: Int, from: RedisServer, to: RedisServer) async throws {
        let arguments = ["--cluster", "reshard", from.address, "--cluster-from", try await id(of: from),
                         "--cluster-to", try await id(of: to), "--cluster-slots", String(count), "--cluster-yes"]
        let result = try await ChildProcess.run(Executable.redisCLI, arguments, timeout: .seconds(60))
        guard result.exitCode == 0 else { throw RedisServerError("redis-cli --cluster reshard failed: \(result)") }
        try await waitUntilHealthy()
    }

    /// Waits until every running node says `cluster_state:ok`, knows every running node, and has its replicas
    /// in sync.
    public func waitUntilHealthy(within timeout: Duration = .seconds(30)) async throws {
        var problem: String? = "nothing checked yet"
        let healthy = await eventually(within: timeout, every: .milliseconds(100)) {
            problem = try await unhealthyNode()
            return problem == nil
        }
        guard healthy else { throw TestTimeout("the Redis Cluster is not healthy after \(timeout): \(problem ?? "")") }
    }

    /// What is not healthy yet, `nil` when all is.
    private func unhealthyNode() async throws -> String? {
        let running = nodes.filter(\.isRunning)
        for node in running {
            let info = try await node.cli("CLUSTER", "INFO")
            guard info.contains("cluster_state:ok") else { return "\(node.address): \(info)" }
            let replication = try await node.cli("INFO", "replication")
            if replication.contains("role:slave"), !replication.contains("master_link_status:up") {
                return "\(node.address) is a replica out of sync: \(replication)"
            }
            let known = try await node.cli("CLUSTER", "NODES").split(separator: "\n")
                .filter { !$0.contains("fail") && !$0.contains("handshake") }
            guard known.count >= running.count else { return "\(node.address) knows only: \(known)" }
        }
        return nil
    }

    /// Stops every node and removes every folder.
    public func shutDown() {
        for node in nodes { node.shutDown() }
    }
}

extension RedisServer {
    /// `127.0.0.1:port`, as `redis-cli --cluster` takes a node.
    public var address: String { "127.0.0.1:\(port)" }
}

/// Starts a Redis Cluster, runs `body` with it, and always stops every node and removes every folder.
/// - Parameters:
///   - primaries: how many primaries (at least 3).
///   - replicas: how many replicas each primary has.
///   - body: the test.
public func withRedisCluster<Value>(
    primaries: Int = 3, replicas: Int = 1, _ body: (RedisCluster) async throws -> Value
) async throws -> Value {
    let cluster = try await RedisCluster.start(primaries: primaries, replicas: replicas)
    defer { cluster.shutDown() }
    return try await body(cluster)
}
