import Foundation
import RedisClient

/// A primary, its replicas and three Sentinels on 127.0.0.1, each in its own temporary folder and on a free
/// port: Redis high availability on one machine, for tests. Use `withRedisSentinelDeployment(_:_:)`, which
/// always stops every process and removes every folder, even when the test fails.
public final class RedisSentinelDeployment: Sendable {
    /// The name the Sentinels monitor the primary by.
    public static let primaryName = "switchboard"

    /// The data servers; the first one started as the primary.
    public let servers: [RedisServer]
    /// The Sentinels.
    public let sentinels: [RedisSentinelProcess]

    private init(servers: [RedisServer], sentinels: [RedisSentinelProcess]) {
        self.servers = servers
        self.sentinels = sentinels
    }

    /// Starts a primary, `replicas` replicas and `sentinelCount` Sentinels (quorum: a majority), then waits
    /// until the replicas are in sync and every Sentinel knows every replica and the other Sentinels.
    /// - Parameters:
    ///   - replicas: how many replicas.
    ///   - sentinelCount: how many Sentinels.
    ///   - sentinelPassword: the Sentinels' own password, if any.
    public static func start(
        replicas: Int = 2, sentinelCount: Int = 3, sentinelPassword: String? = nil
    ) async throws -> RedisSentinelDeployment {
        var servers: [RedisServer] = []
        var sentinels: [RedisSentinelProcess] = []
        do {
            let primary = try await RedisServer.start(RedisServer.Options(listener: .tcp))
            servers.append(primary)
            for _ in 0..<replicas {
                servers.append(try await RedisServer.start(RedisServer.Options(
                    listener: .tcp, extraArguments: ["--replicaof", "127.0.0.1", String(primary.port)]
                )))
            }
            for _ in 0..<sentinelCount {
                sentinels.append(try await RedisSentinelProcess.start(
                    primaryName: primaryName, primaryPort: primary.port, quorum: sentinelCount / 2 + 1,
                    password: sentinelPassword
                ))
            }
            let deployment = RedisSentinelDeployment(servers: servers, sentinels: sentinels)
            try await deployment.waitUntilSettled()
            return deployment
        } catch {
            for sentinel in sentinels { sentinel.shutDown() }
            for server in servers { server.shutDown() }
            throw error
        }
    }

    /// `redis+sentinel://127.0.0.1:p1,127.0.0.1:p2,…/switchboard`.
    public var urlString: String {
        "redis+sentinel://" + sentinels.map(\.address).joined(separator: ",") + "/" + Self.primaryName
    }

    /// The URL, parsed, with the Sentinels' password.
    public var url: RedisURL {
        var url = try! RedisURL(urlString)
        url.sentinels?.password = sentinels.first?.password
        return url
    }

    /// How many times the Sentinels switched the primary so far (`+switch-master` in the log of the Sentinel
    /// that saw the most): usually once per failover asked for, more when a loaded machine makes the
    /// Sentinels fail over again.
    public var switchesLogged: Int {
        sentinels.map { $0.log.components(separatedBy: "+switch-master").count - 1 }.max() ?? 0
    }

    /// The server the Sentinels name as the primary now (asking the first running Sentinel).
    public func primary() async throws -> RedisServer {
        for sentinel in sentinels where sentinel.isRunning {
            let answer = try await sentinel.cli("SENTINEL", "get-master-addr-by-name", Self.primaryName)
            let port = answer.split(separator: "\n").last.flatMap { Int($0) }
            if let server = servers.first(where: { $0.port == port }) { return server }
        }
        throw RedisServerError("no running Sentinel names a primary")
    }

    /// Asks for a planned failover (`SENTINEL FAILOVER`) and waits until every running Sentinel names a new
    /// primary that answers `ROLE` as one.
    /// - Returns: the new primary.
    @discardableResult
    public func failOver(within timeout: Duration = .seconds(30)) async throws -> RedisServer {
        let old = try await primary()
        let asked = try await sentinels.first { $0.isRunning }!.cli("SENTINEL", "FAILOVER", Self.primaryName)
        guard asked == "OK" else { throw RedisServerError("SENTINEL FAILOVER answered \(asked)") }
        return try await waitForPrimary(otherThan: old, within: timeout)
    }

    /// Waits until every running Sentinel names a primary other than `old`, which answers `ROLE` as one.
    /// - Returns: the new primary.
    public func waitForPrimary(otherThan old: RedisServer, within timeout: Duration = .seconds(30)) async throws
        -> RedisServer
    {
        var found: RedisServer?
        let moved = await eventually(within: timeout, every: .milliseconds(100)) {
            var named: Set<Int> = []
            for sentinel in sentinels where sentinel.isRunning {
                let answer = try await sentinel.cli("SENTINEL", "get-master-addr-by-name", Self.primaryName)
                named.insert(answer.split(separator: "\n").last.flatMap { Int($0) } ?? 0)
            }
            guard named.count == 1, let port = named.first, port != old.port,
                  let server = servers.first(where: { $0.port == port }),
                  try await server.cli("ROLE").hasPrefix("master") else { return false }
            found = server
            return true
        }
        guard moved, let found else {
            throw TestTimeout("the Sentinels did not name a new primary within \(timeout): \(sentinels.first?.log ?? "")")
        }
        return found
    }

    /// Waits until the replicas are in sync and every Sentinel knows the replicas and the other Sentinels.
    public func waitUntilSettled(within timeout: Duration = .seconds(30)) async throws {
        var pending = "nothing checked yet"
        let settled = await eventually(within: timeout, every: .milliseconds(100)) {
            do {
                pending = try await unsettled() ?? ""
            } catch {
                pending = "\(error)"
            }
            return pending.isEmpty
        }
        guard settled else {
            throw TestTimeout("the Sentinel deployment did not settle within \(timeout): \(pending)")
        }
    }

    /// What is not settled yet, `nil` when all is.
    private func unsettled() async throws -> String? {
        let primary = try await primary()
        let info = try await primary.cli("INFO", "replication")
        let online = info.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("slave") && $0.contains("state=online") }
        guard online.count == servers.count - 1 else { return "\(online.count) replicas online: \(info)" }
        for sentinel in sentinels where sentinel.isRunning {
            let replicas = try await sentinel.cli("SENTINEL", "REPLICAS", Self.primaryName)
                .split(whereSeparator: \.isNewline)
            let others = try await sentinel.cli("SENTINEL", "SENTINELS", Self.primaryName)
                .split(whereSeparator: \.isNewline)
            let known = replicas.filter { $0 == "name" }.count
            guard known == servers.count - 1, others.filter({ $0 == "name" }).count == sentinels.count - 1,
                  !replicas.contains(where: { $0.contains("s_down") || $0.contains("disconnected") })
            else { return "Sentinel \(sentinel.address) knows: \(replicas) \(others)" }
        }
        return nil
    }

    /// Stops every Sentinel and server and removes their folders.
    public func shutDown() {
        for sentinel in sentinels { sentinel.shutDown() }
        for server in servers { server.shutDown() }
    }
}

/// Starts a Sentinel deployment, runs `body` with it, and always stops every process and removes every folder.
/// - Parameters:
///   - replicas: how many replicas beside the primary.
///   - sentinelPassword: the Sentinels' own password, if any.
///   - body: the test.
public func withRedisSentinelDeployment<Value>(
    replicas: Int = 2, sentinelPassword: String? = nil, _ body: (RedisSentinelDeployment) async throws -> Value
) async throws -> Value {
    let deployment = try await RedisSentinelDeployment.start(replicas: replicas, sentinelPassword: sentinelPassword)
    defer { deployment.shutDown() }
    return try await body(deployment)
}
