import RedisClient
import Synchronization
import TestSupport
import Testing

/// `RedisClient` and `RedisSubscriber` against a real `redis-server`; each test starts its own.
///
/// Closures spell out `async throws` because their `try`s may all sit inside `#expect`, which the closure's
/// effect inference does not look into.
@Suite("RedisClient against redis-server")
struct RedisClientIntegrationTests {
    // MARK: - Commands

    @Test("SET and GET round-trip over a unix socket")
    func roundTripOverUnixSocket() async throws {
        try await withRedisServer { server async throws in
            let client = server.makeClient()
            #expect(try await client.send("SET", "greeting", "hello") == .simpleString("OK"))
            #expect(try await client.send("GET", "greeting") == .bulkString(Array("hello".utf8)))
            #expect(try await client.send("GET", "missing") == .null)
            #expect(try await server.cli("GET", "greeting") == "hello")
        }
    }

    @Test("SET and GET round-trip over TCP")
    func roundTripOverTCP() async throws {
        try await withRedisServer(.init(listener: .tcp)) { server async throws in
            let client = server.makeClient()
            #expect(try await client.send("SET", "count", 42) == .simpleString("OK"))
            #expect(try await client.send("INCRBY", "count", 8) == .number(50))
            #expect(try await client.send("GET", "count").int == 50)
            #expect(try await server.cli("GET", "count") == "50")
        }
    }

    @Test("AUTH and SELECT come from the URL")
    func authenticatesAndSelectsTheDatabase() async throws {
        try await withRedisServer(.init(listener: .tcp, password: "s3cret")) { server async throws in
            guard case .tcp(_, let port) = server.endpoint else { Issue.record("not TCP"); return }
            let client = RedisClient(url: try RedisURL("redis://:s3cret@127.0.0.1:\(port)/3"), logger: .disabled)
            #expect(try await client.send("SET", "placed", "in-three") == .simpleString("OK"))
            let info = try #require(try await client.send("CLIENT", "INFO").string)
            #expect(info.contains(" db=3 "))
            #expect(try await server.cli("-n", "3", "GET", "placed") == "in-three")
            #expect(try await server.cli("-n", "0", "EXISTS", "placed") == "0")
        }
    }

    @Test("a wrong password is a server error naming AUTH")
    func wrongPasswordIsAServerError() async throws {
        try await withRedisServer(.init(listener: .tcp, password: "s3cret")) { server async throws in
            var url = server.url
            url.password = "not-the-password-42"
            let client = RedisClient(url: url, logger: .disabled)
            let error = try await #require(throws: RedisError.self) { try await client.send("PING") }
            #expect(error.code == .server)
            #expect(error.message.contains("AUTH"))
            #expect(!error.message.contains("not-the-password-42"), "the message must not print the password")
        }
    }

    @Test("a command without AUTH on a protected server is a server error")
    func missingPasswordIsAServerError() async throws {
        try await withRedisServer(.init(listener: .tcp, password: "s3cret")) { server async throws in
            var url = server.url
            url.password = nil
            let client = RedisClient(url: url, logger: .disabled)
            let error = try await #require(throws: RedisError.self) { try await client.send("GET", "key") }
            #expect(error.code == .server)
            #expect(error.message.contains("NOAUTH"))
        }
    }

    @Test("nothing listening is connectionRefused with a clear message, then unavailable while backing off")
    func connectionRefused() async throws {
        let port = FreePort.next()
        let client = RedisClient(url: try RedisURL("redis://127.0.0.1:\(port)"), logger: .disabled)
        let error = try await #require(throws: RedisError.self) { try await client.send("PING") }
        #expect(error.code == .connectionRefused)
        #expect(error.message.contains("127.0.0.1:\(port)"))
        #expect(error.message.contains("connection refused"))
        #expect(error.isTransient)
        let again = try await #require(throws: RedisError.self) { try await client.send("PING") }
        #expect(again.code == .unavailable || again.code == .connectionRefused)
    }

    @Test("a missing unix socket is a connection failure naming the path")
    func missingSocket() async throws {
        let client = RedisClient(url: try RedisURL("unix:///tmp/switchboard-no-such-dir/redis.sock"), logger: .disabled)
        let error = try await #require(throws: RedisError.self) { try await client.send("PING") }
        #expect(error.isTransient)
        #expect(error.message.contains("/tmp/switchboard-no-such-dir/redis.sock"))
    }

    @Test("a reply slower than the command timeout is a timeout, and the client recovers")
    func commandTimeout() async throws {
        try await withRedisServer { server async throws in
            let client = server.makeClient(configuration: RedisConfiguration(commandTimeout: .milliseconds(200)))
            let error = try await #require(throws: RedisError.self) {
                try await client.send("BLPOP", "never-filled", 3)
            }
            #expect(error.code == .timeout)
            #expect(error.message.contains("did not answer in time"))
            // Recovering takes a reconnect, which a loaded machine may stretch past the 200 ms: ask until it answers.
            #expect(await eventually { try await client.send("PING") == .simpleString("PONG") })
        }
    }

    // MARK: - Binary safety

    @Test("binary payloads survive SET and GET", arguments: BinaryPayload.allCases)
    func binarySafeSetAndGet(payload: BinaryPayload) async throws {
        try await withRedisServer { server async throws in
            let client = server.makeClient()
            let bytes = payload.bytes
            let key: [UInt8] = [0x6B, 0x00, 0xFF, 0x0A]  // a binary key too
            #expect(try await client.send("SET", key, bytes) == .simpleString("OK"))
            #expect(try await client.send("STRLEN", key) == .number(bytes.count))
            #expect(try await client.send("GET", key) == .bulkString(bytes))
        }
    }

    @Test("binary payloads survive PUBLISH to a subscriber", arguments: BinaryPayload.allCases)
    func binarySafePublish(payload: BinaryPayload) async throws {
        try await withRedisServer { server async throws in
            let client = server.makeClient()
            let subscriber = RedisSubscriber(url: server.url, logger: .disabled)
            let bytes = payload.bytes
            try await withTimeout(.seconds(20)) { () async throws in
                var events = subscriber.subscribe(channels: ["bytes"]).makeAsyncIterator()
                #expect(await events.next() == .subscribed)
                #expect(try await client.send("PUBLISH", "bytes", bytes) == .number(1))
                #expect(await events.next() == .message(RedisPubSubMessage(channel: "bytes", payload: bytes)))
            }
        }
    }

    // MARK: - Pipelines and scripts

    @Test("10,000 pipelined commands return 10,000 replies in order")
    func largePipeline() async throws {
        try await withRedisServer { server async throws in
            let client = server.makeClient()
            let commands = (1...10_000).map { index in
                index.isMultiple(of: 2) ? RedisCommand("INCR", "counter") : RedisCommand("ECHO", "echo-\(index)")
            }
            let replies = try await client.pipeline(commands)
            #expect(replies.count == 10_000)
            let expected: [RedisReply] = (1...10_000).map { index in
                index.isMultiple(of: 2) ? .number(index / 2) : .bulkString(Array("echo-\(index)".utf8))
            }
            #expect(replies == expected)
            #expect(try await client.send("GET", "counter").int == 5_000)
        }
    }

    @Test("an error reply inside a pipeline is returned in place")
    func errorInsidePipeline() async throws {
        try await withRedisServer { server async throws in
            let client = server.makeClient()
            let replies = try await client.pipeline([
                RedisCommand("SET", "text", "abc"),
                RedisCommand("INCR", "text"),
                RedisCommand("NOSUCHCOMMAND"),
                RedisCommand("GET", "text"),
            ])
            try #require(replies.count == 4)
            #expect(replies[0] == .simpleString("OK"))
            guard case .error(let notInteger) = replies[1] else { Issue.record("\(replies[1])"); return }
            #expect(notInteger.contains("not an integer"))
            guard case .error(let unknown) = replies[2] else { Issue.record("\(replies[2])"); return }
            #expect(unknown.contains("unknown command"))
            #expect(replies[3] == .bulkString(Array("abc".utf8)))
            #expect(try await client.pipeline([]) == [])
        }
    }

    @Test("evaluate runs a script by SHA1, with the same SHA1 as Redis, and survives SCRIPT FLUSH")
    func luaScript() async throws {
        try await withRedisServer { server async throws in
            let client = server.makeClient()
            let script = RedisScript(name: "test.add", source: """
                local total = redis.call('INCRBY', KEYS[1], ARGV[1])
                return {total, ARGV[2]}
                """)
            let first = try await client.evaluate(script, keys: ["sum"], arguments: [5, "first"])
            #expect(first == .array([.number(5), .bulkString(Array("first".utf8))]))
            #expect(try await client.send("SCRIPT", "LOAD", script.source).string == script.sha1)
            #expect(try await client.send("SCRIPT", "EXISTS", script.sha1) == .array([.number(1)]))

            #expect(try await client.send("SCRIPT", "FLUSH") == .simpleString("OK"))
            #expect(try await client.send("SCRIPT", "EXISTS", script.sha1) == .array([.number(0)]))
            let second = try await client.evaluate(script, keys: ["sum"], arguments: [7, "second"])
            #expect(second == .array([.number(12), .bulkString(Array("second".utf8))]))
            #expect(try await client.send("SCRIPT", "EXISTS", script.sha1) == .array([.number(1)]))
        }
    }

    @Test("a failing script is a server error naming the script")
    func failingScript() async throws {
        try await withRedisServer { server async throws in
            let client = server.makeClient()
            let script = RedisScript(name: "test.broken", source: "return redis.call('INCR', KEYS[1])")
            _ = try await client.send("SET", "word", "abc")
            let error = try await #require(throws: RedisError.self) {
                try await client.evaluate(script, keys: ["word"])
            }
            #expect(error.code == .server)
            #expect(error.message.contains("test.broken"))
        }
    }

    // MARK: - Subscriber

    @Test("a published message reaches a channel subscriber")
    func publishSubscribeRoundTrip() async throws {
        try await withRedisServer { server async throws in
            let client = server.makeClient()
            let subscriber = RedisSubscriber(url: server.url, logger: .disabled)
            try await withTimeout { () async throws in
                var events = subscriber.subscribe(channels: ["news", "other"]).makeAsyncIterator()
                #expect(await events.next() == .subscribed)
                #expect(try await client.send("PUBSUB", "NUMSUB", "news") == .array([.bulkString(Array("news".utf8)),
                                                                                        .number(1)]))
                #expect(try await client.send("PUBLISH", "news", "hello") == .number(1))
                #expect(try await client.send("PUBLISH", "other", "world") == .number(1))
                #expect(await events.next() == .text("news", "hello"))
                #expect(await events.next() == .text("other", "world"))
            }
        }
    }

    @Test("a pattern subscription receives matching channels only, with the pattern")
    func patternSubscription() async throws {
        try await withRedisServer { server async throws in
            let client = server.makeClient()
            let subscriber = RedisSubscriber(url: server.url, logger: .disabled)
            try await withTimeout { () async throws in
                var events = subscriber.subscribe(channels: [], patterns: ["order.*"]).makeAsyncIterator()
                #expect(await events.next() == .subscribed)
                #expect(try await client.send("PUBLISH", "order.created", "1") == .number(1))
                #expect(try await client.send("PUBLISH", "stock.reserved", "2") == .number(0))
                #expect(try await client.send("PUBLISH", "order.confirmed", "3") == .number(1))
                #expect(await events.next() == .text("order.created", "1", pattern: "order.*"))
                #expect(await events.next() == .text("order.confirmed", "3", pattern: "order.*"))
            }
        }
    }

    @Test("a sharded subscription on one server: SSUBSCRIBE per slot, channels added and removed later")
    func shardedSubscriptionOnOneServer() async throws {
        try await withRedisServer { server async throws in
            let client = server.makeClient()
            let subscriber = RedisSubscriber(url: server.url, logger: .disabled)
            try await withTimeout { () async throws in
                let (stream, continuation) = AsyncStream<RedisSubscriber.Event>.makeStream()
                let subscription = subscriber.startSharded(channels: ["order.created{p01}", "order.created{p02}"]) {
                    continuation.yield($0)
                }
                defer { subscription.cancel() }
                var events = stream.makeAsyncIterator()
                #expect(await events.next() == .subscribed)
                #expect(try await client.send("SPUBLISH", "order.created{p01}", "1") == .number(1))
                #expect(try await client.send("PUBLISH", "order.created{p01}", "plain") == .number(0))
                #expect(try await client.send("SPUBLISH", "order.created{p02}", "2") == .number(1))
                #expect(await events.next() == .text("order.created{p01}", "1"))
                #expect(await events.next() == .text("order.created{p02}", "2"))
                await subscription.subscribe(channels: ["stock.reserved{p01}"])
                await subscription.unsubscribe(channels: ["order.created{p01}"])
                #expect(try await client.send("SPUBLISH", "order.created{p01}", "gone") == .number(0))
                #expect(try await client.send("SPUBLISH", "stock.reserved{p01}", "3") == .number(1))
                #expect(await events.next() == .text("stock.reserved{p01}", "3"))
            }
        }
    }

    @Test("a message sent by redis-cli PUBLISH reaches the Swift subscriber")
    func redisCLIPublishReachesSubscriber() async throws {
        try await withRedisServer { server async throws in
            let subscriber = RedisSubscriber(url: server.url, logger: .disabled)
            try await withTimeout { () async throws in
                var events = subscriber.subscribe(channels: ["order.created"]).makeAsyncIterator()
                #expect(await events.next() == .subscribed)
                let json = #"{"orderId":"o-1","note":"tschüß"}"#
                #expect(try await server.cli("PUBLISH", "order.created", json) == "1")
                #expect(await events.next() == .text("order.created", json))
            }
        }
    }

    @Test("the subscriber reconnects and subscribes again after redis-server restarts")
    func subscriberSurvivesRestart() async throws {
        try await withRedisServer { server async throws in
            let client = server.makeClient()
            let subscriber = RedisSubscriber(url: server.url, logger: .disabled)
            try await withTimeout(.seconds(30)) { () async throws in
                var events = subscriber.subscribe(channels: ["news"], patterns: ["alert.*"]).makeAsyncIterator()
                #expect(await events.next() == .subscribed)
                #expect(try await client.send("PUBLISH", "news", "before") == .number(1))
                #expect(await events.next() == .text("news", "before"))

                server.stop()
                guard case .disconnected(let error)? = await events.next() else {
                    Issue.record("expected .disconnected after the server stopped")
                    return
                }
                #expect(error.isTransient)
                try await server.restart()
                var next = await events.next()
                while case .disconnected? = next { next = await events.next() }
                #expect(next == .subscribed)

                #expect(try await client.send("PUBLISH", "news", "after") == .number(1))
                #expect(try await client.send("PUBLISH", "alert.fire", "pattern too") == .number(1))
                #expect(await events.next() == .text("news", "after"))
                #expect(await events.next() == .text("alert.fire", "pattern too", pattern: "alert.*"))
            }
        }
    }

    @Test("cancelling the iterating task ends the stream and closes the subscription")
    func cancellingEndsTheStream() async throws {
        try await withRedisServer { server async throws in
            let client = server.makeClient()
            let subscriber = RedisSubscriber(url: server.url, logger: .disabled)
            let subscribed = Mutex(false)
            let reader = Task {
                var seen = 0
                for await event in subscriber.subscribe(channels: ["news"]) {
                    if event == .subscribed { subscribed.withLock { $0 = true } }
                    seen += 1
                }
                return seen
            }
            #expect(await eventually { subscribed.withLock { $0 } })
            reader.cancel()
            let seen = try await withTimeout(.seconds(5), "the cancelled subscription's stream") {
                await reader.value
            }
            #expect(seen == 1)
            #expect(await eventually {
                try await client.send("PUBSUB", "NUMSUB", "news").array?.last == .number(0)
            })
        }
    }

    // MARK: - Reconnecting

    @Test("the client reconnects by itself after redis-server restarts")
    func clientReconnectsAfterRestart() async throws {
        try await withRedisServer(.init(appendOnly: true)) { server async throws in
            let client = server.makeClient()
            #expect(try await client.send("SET", "kept", "across restarts") == .simpleString("OK"))
            try await server.restart()
            // The idle connection is stale now; the client notices and reconnects within this one call.
            #expect(try await client.send("GET", "kept") == .bulkString(Array("across restarts".utf8)))
        }
    }

    @Test("while redis-server loads its data, commands and functions fail as .notReady, a transient error")
    func loadingServerIsNotReady() async throws {
        // 20,000 keys loaded at 100 µs each: two seconds during which the server answers `LOADING`.
        let slowLoading = RedisServer.Options(extraArguments: ["--key-load-delay", "100",
                                                               "--loading-process-events-interval-bytes", "1024"])
        try await withRedisServer(slowLoading) { server async throws in
            let client = server.makeClient()
            let fill = RedisScript(name: "fill", source: "for i = 1, 20000 do redis.call('SET', 'k' .. i, i) end")
            _ = try await client.evaluate(fill)
            #expect(try await client.send("SAVE") == .simpleString("OK"))
            try await server.restart(untilLoaded: false)

            let error = try await #require(throws: RedisError.self) { try await client.send("GET", "k1") }
            #expect(error.code == .notReady, "\(error)")
            #expect(error.isTransient)
            let library = RedisFunctionLibrary(name: "loading_probe", code: """
                redis.register_function('probe' .. version, function() return 1 end)
                """)
            let refused = try await #require(throws: RedisError.self) { try await client.call("probe", in: library) }
            #expect(refused.code == .notReady, "\(refused)")
            #expect(await eventually(within: .seconds(30)) { try await client.send("GET", "k20000") == .bulkString(Array("20000".utf8)) })
        }
    }

    @Test("while the server is down commands fail fast; once it is back the client recovers")
    func clientRecoversAfterOutage() async throws {
        try await withRedisServer(.init(listener: .tcp)) { server async throws in
            let client = server.makeClient()
            #expect(try await client.send("PING") == .simpleString("PONG"))
            server.stop()
            let error = try await #require(throws: RedisError.self) { try await client.send("PING") }
            #expect(error.isTransient)
            try await server.restart()
            #expect(await eventually { try await client.send("PING") == .simpleString("PONG") })
        }
    }
}

/// Payloads that text-based code would mangle.
enum BinaryPayload: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case nulBytes, allByteValues, oneMebibyte

    var bytes: [UInt8] {
        switch self {
        case .nulBytes:
            [0, 0, 65, 0, 66, 0, 0]
        case .allByteValues:
            (0...255).map(UInt8.init) + (0...255).reversed().map(UInt8.init)
        case .oneMebibyte:
            (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        }
    }

    var testDescription: String { rawValue }
}
