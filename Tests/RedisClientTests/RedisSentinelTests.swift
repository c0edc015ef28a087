import RedisClient
import Synchronization
import TestSupport
import Testing

/// `RedisClient` and `RedisSubscriber` with a `redis+sentinel://` URL, against a real primary, replicas and
/// three `redis-sentinel`s (down after 1 s), each test with its own deployment.
///
/// Closures spell out `async throws` because their `try`s may all sit inside `#expect`.
@Suite("RedisClient following the primary through Redis Sentinel", .serialized)
struct RedisSentinelTests {
    /// Quick retries, so following a failover is not held up by a long backoff.
    private let configuration = RedisConfiguration(
        connectTimeout: .seconds(1), commandTimeout: .seconds(2),
        backoff: .init(initial: .milliseconds(50), maximum: .milliseconds(500))
    )

    private static let library = RedisFunctionLibrary(name: "sentineltest", code: """
        redis.register_function('bump' .. version, function(keys, args) return redis.call('INCR', keys[1]) end)
        """)

    @Test("the client finds the primary through the Sentinels, passing over one that is down, and reports them")
    func discoversThePrimary() async throws {
        try await withRedisSentinelDeployment(replicas: 1) { deployment async throws in
            deployment.sentinels[0].stop()
            let client = RedisClient(url: deployment.url, configuration: configuration, logger: .disabled)
            #expect(try await client.send("SET", "found", "yes") == .simpleString("OK"))
            #expect(try await deployment.servers[0].cli("GET", "found") == "yes")
            #expect(try await client.send("ROLE").array?.first?.string == "master")

            let status = try #require(await client.sentinelStatus())
            #expect(status.primary == "127.0.0.1:\(deployment.servers[0].port)")
            #expect(status.roleConfirmed)
            #expect(status.replicas == ["127.0.0.1:\(deployment.servers[1].port)"])
            #expect(status.sentinelsReachable == deployment.sentinels.dropFirst().map(\.address))
            #expect(status.sentinelsUnreachable.count == 1)
            #expect(status.sentinelsUnreachable.first?.hasPrefix(deployment.sentinels[0].address) == true)
        }
    }

    @Test("commands and subscriptions follow a planned failover, and functions are on the new primary")
    func followsAPlannedFailover() async throws {
        try await withRedisSentinelDeployment(replicas: 1) { deployment async throws in
            let client = RedisClient(url: deployment.url, configuration: configuration, logger: .disabled)
            #expect(try await client.call("bump", in: Self.library, keys: ["bumps"]) == .number(1))
            let received = Mutex<[String]>([])
            let subscription = RedisSubscriber(url: deployment.url, configuration: configuration, logger: .disabled)
                .start(channels: ["news"]) { event in
                    if case .message(let message) = event {
                        received.withLock { $0.append(String(decoding: message.payload, as: UTF8.self)) }
                    }
                }
            defer { subscription.cancel() }
            #expect(await eventually { try await deployment.servers[0].cli("PUBSUB", "NUMSUB", "news").hasSuffix("1") })
            // Replication is asynchronous: the library is on the replica once it acknowledged the load.
            #expect(try await client.send("WAIT", 1, 5000).int == 1)

            let promoted = try await deployment.failOver()
            #expect(promoted === deployment.servers[1])
            // The library came over by replication, before any call could have loaded it.
            #expect(try await promoted.cli("FUNCTION", "LIST").contains(Self.library.name))
            // Until the old primary is turned into a replica, a write may still land on it (and be lost):
            // following means that a write lands on the promoted server.
            let followed = await eventually(within: .seconds(15)) {
                let bumps = try await client.call("bump", in: Self.library, keys: ["bumps"]).int
                return try await promoted.cli("GET", "bumps") == bumps.map(String.init)
            }
            #expect(followed)
            let resubscribed = await eventually(within: .seconds(15)) {
                _ = try await promoted.cli("PUBLISH", "news", "after")
                return received.withLock { $0.contains("after") }
            }
            #expect(resubscribed)
        }
    }

    @Test("after kill -9 of the primary the client follows the replica the Sentinels promote")
    func followsAfterThePrimaryDies() async throws {
        try await withRedisSentinelDeployment(replicas: 2) { deployment async throws in
            let client = RedisClient(url: deployment.url, configuration: configuration, logger: .disabled)
            #expect(try await client.send("SET", "before", "1") == .simpleString("OK"))
            #expect(try await deployment.servers[0].cli("WAIT", "2", "2000") == "2")
            let old = deployment.servers[0]
            old.crash()
            let promoted = try await deployment.waitForPrimary(otherThan: old)
            let followed = await eventually(within: .seconds(15)) {
                try await client.send("SET", "after", "1") == .simpleString("OK")
            }
            #expect(followed)
            #expect(try await promoted.cli("MGET", "before", "after") == "1\n1")

            // The old primary comes back and is turned into a replica: the client stays on the promoted one.
            try await old.restart()
            let demoted = await eventually(within: .seconds(30), every: .milliseconds(200)) {
                try await old.cli("ROLE").hasPrefix("slave")
            }
            #expect(demoted)
            #expect(try await client.send("INCR", "after") == .number(2))
            // The write is on the primary the Sentinels name now: usually `promoted`, another replica when a
            // loaded machine made the Sentinels fail over once more while the old primary came back.
            #expect(try await deployment.primary().cli("GET", "after") == "2")
        }
    }

    @Test("with every Sentinel down, commands fail with an error naming them, and work again when they return")
    func sentinelsDown() async throws {
        try await withRedisSentinelDeployment(replicas: 1) { deployment async throws in
            for sentinel in deployment.sentinels { sentinel.stop() }
            let client = RedisClient(url: deployment.url, configuration: configuration, logger: .disabled)
            let error = try await #require(throws: RedisError.self) { try await client.send("PING") }
            #expect(error.code == .unavailable)
            for sentinel in deployment.sentinels {
                #expect(error.message.contains(sentinel.address))
            }
            #expect(error.message.contains("redis-sentinel"))

            for sentinel in deployment.sentinels { try await sentinel.restart() }
            let recovered = await eventually(within: .seconds(15)) {
                try await client.send("PING") == .simpleString("PONG")
            }
            #expect(recovered)
        }
    }

    @Test("the Sentinels' own password is sent to them, and its absence is named")
    func sentinelPassword() async throws {
        try await withRedisSentinelDeployment(replicas: 1, sentinelPassword: "sentinel-secret") { deployment async throws in
            let client = RedisClient(url: deployment.url, configuration: configuration, logger: .disabled)
            #expect(try await client.send("PING") == .simpleString("PONG"))

            var withoutPassword = deployment.url
            withoutPassword.sentinels?.password = nil
            let refused = RedisClient(url: withoutPassword, configuration: configuration, logger: .disabled)
            let error = try await #require(throws: RedisError.self) { try await refused.send("PING") }
            #expect(error.message.contains("NOAUTH") || error.message.contains("AUTH"))
        }
    }
}
