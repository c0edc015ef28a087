import RedisClient
import Testing
import TestSupport

/// The client against a real Redis Cluster of 3 primaries with a replica each: routing by slot, pipelines
/// across nodes, functions on every primary, resharding, slot migration, and a primary killed.
@Suite("Redis Cluster client", .serialized)
struct RedisClusterClientTests {
    /// Keys spread over every slot range: enough that each primary serves many.
    private static let keys = (0..<300).map { "cluster:key:\($0)" }

    private static func set(_ key: String, _ value: String) -> RedisCommand {
        RedisCommand("SET", key, value).routed(by: key)
    }

    private static func get(_ key: String) -> RedisCommand {
        RedisCommand("GET", key).routed(by: key)
    }

    /// How many error replies of a kind (`MOVED`, `ASK`) a node has sent (`INFO errorstats`).
    private static func errors(_ kind: String, of node: RedisServer) async throws -> Int {
        let line = try await node.cli("INFO", "errorstats").split(whereSeparator: \.isNewline)
            .first { $0.hasPrefix("errorstat_\(kind):count=") }
        return line.flatMap { Int($0.split(separator: "=").last ?? "") } ?? 0
    }

    @Test("commands go straight to the primary serving their key's slot, with no MOVED")
    func routesBySlot() async throws {
        try await withRedisCluster { cluster in
            let client = cluster.makeClient()
            for key in Self.keys {
                #expect(try await client.send(Self.set(key, "v-\(key)")) == .simpleString("OK"))
            }
            for key in Self.keys {
                #expect(try await client.send(Self.get(key)).string == "v-\(key)")
            }
            var primaries: Set<Int> = []
            for key in Self.keys where HashSlot(key: key).rawValue % 8 == 0 {
                let primary = try await cluster.primary(serving: HashSlot(key: key))
                primaries.insert(primary.port)
                // Read from that node alone, without following redirections: the key lives there.
                #expect(try await primary.cli("GET", key) == "v-\(key)")
            }
            #expect(primaries.count == 3)
            var stored = 0
            for node in cluster.nodes {
                #expect(try await Self.errors("MOVED", of: node) == 0)
                if try await node.cli("ROLE").hasPrefix("master") { stored += Int(try await node.cli("DBSIZE")) ?? 0 }
            }
            #expect(stored == Self.keys.count)
            // A keyless command goes to a primary.
            #expect(try await client.send("PING") == .simpleString("PONG"))
            #expect(try await client.send("ROLE").array?.first?.string == "master")
        }
    }

    @Test("a pipeline spanning every node answers in the commands' order, and SCAN walks every primary")
    func pipelineAcrossNodes() async throws {
        try await withRedisCluster { cluster in
            let client = cluster.makeClient()
            var commands: [RedisCommand] = []
            for (index, key) in Self.keys.enumerated() {
                commands.append(Self.set(key, String(index)))
                commands.append(Self.get(key))
                if index % 50 == 0 { commands.append(RedisCommand("PING")) }
            }
            let replies = try await client.pipeline(commands)
            #expect(replies.count == commands.count)
            var position = 0
            for (index, _) in Self.keys.enumerated() {
                #expect(replies[position] == .simpleString("OK"))
                #expect(replies[position + 1].string == String(index))
                position += 2
                if index % 50 == 0 {
                    #expect(replies[position] == .simpleString("PONG"))
                    position += 1
                }
            }
            #expect(try await Set(client.scan(matching: "*")) == Set(Self.keys))
        }
    }

    @Test("FCALL loads its library on each primary it reaches")
    func functionsOnEveryPrimary() async throws {
        let library = RedisFunctionLibrary(name: "cluster_test", code: """
            redis.register_function('add' .. version, function(keys, args) return redis.call('INCRBY', keys[1], args[1]) end)
            """)
        try await withRedisCluster { cluster in
            let client = cluster.makeClient()
            for key in Self.keys.prefix(60) {
                #expect(try await client.call("add", in: library, keys: [key], arguments: [2]) == .number(2))
                #expect(try await client.call("add", in: library, keys: [key], arguments: [3]) == .number(5))
            }
            var primaries: Set<Int> = []
            for key in Self.keys.prefix(60) {
                primaries.insert(try await cluster.primary(serving: HashSlot(key: key)).port)
            }
            #expect(primaries.count == 3)
            for port in primaries {
                let node = try #require(cluster.nodes.first { $0.port == port })
                #expect(try await node.cli("FUNCTION", "LIST", "LIBRARYNAME", library.name).contains(library.name))
            }
        }
    }

    @Test("writes under load keep succeeding while slots are resharded, and none is lost")
    func reshardUnderLoad() async throws {
        try await withRedisCluster { cluster in
            let client = cluster.makeClient()
            let source = try await cluster.primary(serving: HashSlot(rawValue: 0)!)
            let target = try await cluster.primary(serving: HashSlot(rawValue: 16383)!)
            let keys = Self.keys.filter { HashSlot(key: $0).rawValue < 1_000 }
            #expect(keys.count > 10)
            let writes = Task {
                var acknowledged = [String: Int]()
                var failures: [String] = []
                while !Task.isCancelled {
                    for key in keys {
                        do {
                            _ = try await client.send(RedisCommand("INCR", key).routed(by: key))
                            acknowledged[key, default: 0] += 1
                        } catch {
                            failures.append("\(error)")
                        }
                    }
                }
                return (acknowledged, failures)
            }
            try await cluster.reshard(count: 1_000, from: source, to: target)
            writes.cancel()
            let (acknowledged, failures) = await writes.value
            #expect(failures.isEmpty)
            #expect(try await cluster.primary(serving: HashSlot(rawValue: 0)!).port == target.port)
            for key in keys {
                #expect(try await client.send(Self.get(key)).int == acknowledged[key], "key \(key)")
            }
            #expect(try await Self.errors("MOVED", of: source) + Self.errors("ASK", of: source) > 0)
        }
    }

    @Test("during a slot migration, keys already moved are asked for at the target (ASK), the map unchanged")
    func askDuringMigration() async throws {
        try await withRedisCluster { cluster in
            let client = cluster.makeClient()
            let moved = "{migrating}moved"
            let staying = "{migrating}staying"
            let fresh = "{migrating}fresh"
            let slot = HashSlot(key: moved)
            let source = try await cluster.primary(serving: slot)
            var target = source
            for other in [0, 8_000, 16_383] where target.port == source.port {
                target = try await cluster.primary(serving: HashSlot(rawValue: UInt16(other))!)
            }
            #expect(target.port != source.port)
            _ = try await client.send(Self.set(moved, "1"))
            _ = try await client.send(Self.set(staying, "2"))
            let (sourceID, targetID) = (try await cluster.id(of: source), try await cluster.id(of: target))
            try await target.cli("CLUSTER", "SETSLOT", String(slot.rawValue), "IMPORTING", sourceID)
            try await source.cli("CLUSTER", "SETSLOT", String(slot.rawValue), "MIGRATING", targetID)
            #expect(try await source.cli("MIGRATE", "127.0.0.1", String(target.port), moved, "0", "5000") == "OK")

            #expect(try await client.send(Self.get(moved)).string == "1")
            #expect(try await client.send(Self.get(staying)).string == "2")
            #expect(try await client.send(Self.set(fresh, "3")) == .simpleString("OK"))
            #expect(try await Self.errors("ASK", of: source) == 2)
            // The moved key and the new one are on the target; the source kept the other.
            #expect(try await target.cli("CLUSTER", "COUNTKEYSINSLOT", String(slot.rawValue)) == "2")
            #expect(try await source.cli("CLUSTER", "COUNTKEYSINSLOT", String(slot.rawValue)) == "1")

            for node in [source, target] {
                try await node.cli("CLUSTER", "SETSLOT", String(slot.rawValue), "NODE", targetID)
            }
            #expect(try await client.send(Self.get(moved)).string == "1")
            #expect(try await client.send(Self.get(fresh)).string == "3")
        }
    }

    @Test("after kill -9 of a primary its replica takes over and the client follows")
    func followsFailover() async throws {
        try await withRedisCluster { cluster in try await withTimeout(.seconds(60), "following a failover") {
            let client = cluster.makeClient()
            let key = Self.keys[0]
            _ = try await client.send(Self.set(key, "before"))
            _ = try await client.send(RedisCommand("WAIT", 1, 5_000).routed(by: key))
            let victim = try await cluster.primary(serving: HashSlot(key: key))
            // A subscriber whose first seed is the victim moves on to the next seed.
            let seeds = ([victim] + cluster.nodes.filter { $0.port != victim.port }).map {
                RedisURL.Address(host: "127.0.0.1", port: $0.port)
            }
            let events = RedisSubscriber(url: RedisURL(endpoint: .cluster(seeds: seeds)), logger: .disabled)
                .subscribe(channels: ["cluster.news"])
            var iterator = events.makeAsyncIterator()
            #expect(await iterator.next() == .subscribed)
            victim.crash()
            // Commands wait (up to clusterRetryTimeout) while the replica is promoted; only those in flight
            // when the connection broke fail.
            var answered: RedisReply?
            let followed = await eventually(within: .seconds(30), every: .milliseconds(50)) {
                answered = try await client.send(Self.get(key))
                return true
            }
            #expect(followed)
            #expect(answered?.string == "before")
            #expect(try await client.send(Self.set(key, "after")) == .simpleString("OK"))
            let promoted = try await cluster.primary(serving: HashSlot(key: key))
            #expect(promoted.port != victim.port)
            #expect(try await promoted.cli("GET", key) == "after")
            while let event = await iterator.next(), event != .subscribed {}
            // PUBLISH counts only the receivers on the node it was sent to; the cluster bus carries it on.
            _ = try await client.send("PUBLISH", "cluster.news", "hello")
            let message = RedisPubSubMessage(channel: "cluster.news", payload: Array("hello".utf8))
            #expect(await iterator.next() == .message(message))
        } }
    }
}
