import Foundation
import RedisClient
import Resilience
import Synchronization
import TestSupport
import Testing

/// The event loop under load and faults, against a real `redis-server`: thousands of concurrent callers,
/// connections killed or servers stopped mid-pipeline, a frozen server, subscriptions changed and restored.
///
/// Every wait is bounded by `withTimeout`, so a caller that is never resumed fails the test instead of
/// hanging it.
@Suite("RedisClient event loop against redis-server")
struct RedisEventLoopTests {
    // MARK: - Many callers

    @Test("10,000 concurrent INCR callers each get their own reply")
    func concurrentIncrements() async throws {
        try await withRedisServer { server async throws in
            let client = server.makeClient()
            let values = try await withTimeout(.seconds(60), "10,000 INCR callers") { () async throws in
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<10_000 {
                        group.addTask { try #require(try await client.send("INCR", "counter").int) }
                    }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
            }
            #expect(values.sorted() == Array(1...10_000), "every caller got a distinct value, none lost")
            #expect(try await client.send("GET", "counter").int == 10_000)
        }
    }

    @Test("10,000 concurrent SET-then-GET callers each read back their own value")
    func concurrentSetThenGet() async throws {
        try await withRedisServer { server async throws in
            let client = server.makeClient()
            let mismatches = try await withTimeout(.seconds(60), "10,000 SET+GET callers") { () async throws in
                try await withThrowingTaskGroup(of: Bool.self) { group in
                    for index in 0..<10_000 {
                        group.addTask {
                            let value = Array("value-\(index)-\(index &* 7_919)".utf8)
                            _ = try await client.send(RedisCommand(name: "SET", arguments: [Array("key-\(index)".utf8), value]))
                            return try await client.send(RedisCommand(name: "GET", arguments: ["key-\(index)"]))
                                == .bulkString(value)
                        }
                    }
                    return try await group.reduce(0) { $0 + ($1 ? 0 : 1) }
                }
            }
            #expect(mismatches == 0)
            #expect(try await server.cli("DBSIZE") == "10000")
        }
    }

    @Test("while a BLPOP waits on one client, 1,000 INCR callers on another are answered; a push then ends it")
    func blockingReadBesideOtherCallers() async throws {
        try await withRedisServer { server async throws in
            let blocking = server.makeClient()
            let client = server.makeClient()
            try await withTimeout(.seconds(60), "BLPOP beside 1,000 INCR callers") { () async throws in
                async let popped = blocking.send("BLPOP", "queue", 0)
                let values = try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<1_000 {
                        group.addTask { try #require(try await client.send("INCR", "counter").int) }
                    }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
                #expect(values.sorted() == Array(1...1_000))
                _ = try await client.send("RPUSH", "queue", "done")
                #expect(try await popped == .array([.bulkString(Array("queue".utf8)), .bulkString(Array("done".utf8))]))
            }
        }
    }

    // MARK: - Faults mid-pipeline

    @Test("CLIENT KILL mid-pipeline: requests in flight fail with connectionLost, none hangs, the client goes on")
    func connectionKilledMidPipeline() async throws {
        try await withRedisServer { server async throws in
            let client = server.makeClient(configuration: RedisConfiguration(commandTimeout: .seconds(30)))
            let killer = server.makeClient()
            try await withTimeout(.seconds(60), "requests on a killed connection") { () async throws in
                // A reply to the INCR proves the connection works, so nothing is re-sent as if it had gone out
                // on a stale connection; the BLPOP then holds the connection busy.
                let blocked = try await blockedPipeline(on: client, after: RedisCommand("INCR", "counter"), seenBy: killer)
                let outcomes = Task { await Self.outcomes(of: 5_000) { _ async throws(RedisError) in
                    _ = try await client.send("INCR", "counter")
                } }
                await Task.yield()
                #expect(try await killer.send("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes").int ?? 0 >= 1)
                let blockedError = try await #require(throws: RedisError.self) { try await blocked.value }
                #expect(blockedError.code == .connectionLost)
                let codes = await outcomes.value
                #expect(codes.count == 5_000, "every caller was answered")
                #expect(codes.allSatisfy { $0 == nil || $0 == .connectionLost }, "\(Set(codes.compactMap { $0 }))")
                let succeeded = codes.filter { $0 == nil }.count
                #expect(try await client.send("INCR", "counter").int == 1 + succeeded + 1)
            }
        }
    }

    @Test("redis-server stopped under load: every caller gets a reply or an error, and the client works once it is back")
    func serverStoppedUnderLoad() async throws {
        try await withRedisServer(.init(listener: .tcp)) { server async throws in
            let client = server.makeClient()
            #expect(try await client.send("PING") == .simpleString("PONG"))
            let answered = Counter()
            let stopped = Counter()
            // Each worker sends until it has seen the outage itself, so the load spans the stop for sure.
            let load = Task {
                try await withThrowingTaskGroup(of: (Int, Int).self) { group in
                    for worker in 0..<2_000 {
                        group.addTask {
                            var (replies, errors, round) = (0, 0, 0)
                            while true {
                                let afterStop = stopped.value > 0
                                round += 1
                                do throws(RedisError) {
                                    let reply = try await client.send("SET", "worker-\(worker)", round)
                                    #expect(reply == .simpleString("OK"))
                                    replies += 1
                                } catch {
                                    #expect(error.isTransient, "\(error)")
                                    errors += 1
                                    if afterStop { break }
                                }
                                answered.increment()
                            }
                            return (replies, errors)
                        }
                    }
                    return try await group.reduce(into: (0, 0)) { $0.0 += $1.0; $0.1 += $1.1 }
                }
            }
            #expect(await eventually { answered.value >= 1_000 })
            server.stop()
            stopped.increment()
            let (replies, errors) = try await withTimeout(.seconds(60), "2,000 callers while the server stops") {
                try await load.value
            }
            #expect(replies > 0)
            #expect(errors >= 2_000, "every caller saw the outage as an error, none hung")
            try await server.restart()
            #expect(await eventually { try await client.send("PING") == .simpleString("PONG") })
        }
    }

    @Test("close() with requests in flight: each completes or fails with an error, and the client opens anew")
    func closeWithRequestsInFlight() async throws {
        try await withRedisServer { server async throws in
            let client = server.makeClient(configuration: RedisConfiguration(commandTimeout: .seconds(30)))
            let killer = server.makeClient()
            try await withTimeout(.seconds(60), "requests on a closed client") { () async throws in
                let blocked = try await blockedPipeline(on: client, after: RedisCommand("PING"), seenBy: killer)
                let outcomes = Task { await Self.outcomes(of: 2_000) { index async throws(RedisError) in
                    _ = try await client.send("SET", "key-\(index)", index)
                } }
                await Task.yield()
                await client.close()
                let blockedError = try await #require(throws: RedisError.self) { try await blocked.value }
                #expect(blockedError.code == .closed)
                let codes = await outcomes.value
                #expect(codes.count == 2_000)
                #expect(codes.allSatisfy { $0 == nil || $0 == .closed }, "\(Set(codes.compactMap { $0 }))")
                #expect(try await client.send("PING") == .simpleString("PONG"))
            }
        }
    }

    @Test("a frozen redis-server (SIGSTOP) gives .timeout promptly to every caller, then the client recovers")
    func frozenServerTimesOut() async throws {
        try await withRedisServer { server async throws in
            let client = server.makeClient(configuration: RedisConfiguration(commandTimeout: .milliseconds(300)))
            let pid = try await Self.processID(of: client)
            #expect(kill(pid, SIGSTOP) == 0)
            defer { kill(pid, SIGCONT) }
            let codes = try await withTimeout(.seconds(10), "callers of a frozen server") {
                await Self.outcomes(of: 100) { index async throws(RedisError) in
                    _ = try await client.send("GET", "key-\(index)")
                }
            }
            #expect(codes.count == 100)
            #expect(codes.allSatisfy { $0 == .timeout }, "\(codes)")
            kill(pid, SIGCONT)
            #expect(await eventually { try await client.send("PING") == .simpleString("PONG") })
        }
    }

    @Test("connecting to a frozen redis-server whose AUTH never comes back fails with the connect timeout")
    func frozenServerConnectTimesOut() async throws {
        try await withRedisServer(.init(listener: .tcp, password: "s3cret")) { server async throws in
            let pid = try await Self.processID(of: server.makeClient())
            #expect(kill(pid, SIGSTOP) == 0)
            defer { kill(pid, SIGCONT) }
            // The kernel accepts the connection for the frozen server; only the pipelined AUTH stays unanswered.
            let client = server.makeClient(configuration: RedisConfiguration(
                connectTimeout: .milliseconds(300), commandTimeout: .seconds(60), backoff: Backoff(initial: .seconds(6))
            ))
            let error = try await withTimeout(.seconds(10), "a connect to a frozen server") {
                try await #require(throws: RedisError.self) { try await client.send("PING") }
            }
            #expect(error.code == .timeout)
            #expect(error.message.contains("cannot connect") && error.message.contains("timed out"))
            let again = try await #require(throws: RedisError.self) { try await client.send("PING") }
            #expect(again.code == .unavailable, "requests fail at once while backing off")
            kill(pid, SIGCONT)
            #expect(await eventually(within: .seconds(20)) { try await client.send("PING") == .simpleString("PONG") })
        }
    }

    // MARK: - Subscriptions

    @Test("dynamic subscribe and unsubscribe take effect, and survive a redis-server restart")
    func dynamicSubscriptionsSurviveRestart() async throws {
        try await withRedisServer { server async throws in
            let client = server.makeClient()
            let subscriber = RedisSubscriber(url: server.url, logger: .disabled)
            let (events, continuation) = AsyncStream<RedisSubscriber.Event>.makeStream()
            let subscription = subscriber.start(channels: ["first"]) { continuation.yield($0) }
            defer { subscription.cancel() }
            try await withTimeout(.seconds(30)) { () async throws in
                var iterator = events.makeAsyncIterator()
                #expect(await iterator.next() == .subscribed)
                await subscription.subscribe(channels: ["second"], patterns: ["third.*"])
                await subscription.unsubscribe(channels: ["first"])
                #expect(try await client.send("PUBLISH", "first", "gone") == .number(0))
                #expect(try await client.send("PUBLISH", "second", "one") == .number(1))
                #expect(try await client.send("PUBLISH", "third.x", "two") == .number(1))
                #expect(await iterator.next() == .text("second", "one"))
                #expect(await iterator.next() == .text("third.x", "two", pattern: "third.*"))

                try await server.restart()
                guard case .disconnected(let error)? = await iterator.next() else {
                    Issue.record("expected .disconnected after the restart")
                    return
                }
                #expect(error.isTransient)
                var next = await iterator.next()
                while case .disconnected? = next { next = await iterator.next() }
                #expect(next == .subscribed)
                #expect(try await client.send("PUBLISH", "first", "still gone") == .number(0))
                #expect(try await client.send("PUBLISH", "second", "three") == .number(1))
                #expect(try await client.send("PUBLISH", "third.y", "four") == .number(1))
                #expect(await iterator.next() == .text("second", "three"))
                #expect(await iterator.next() == .text("third.y", "four", pattern: "third.*"))

                await subscription.subscribe(channels: ["first"])
                #expect(try await client.send("PUBLISH", "first", "back") == .number(1))
                #expect(await iterator.next() == .text("first", "back"))
            }
        }
    }

    @Test("clients and subscriptions share the event-loop thread: no thread per client or subscription")
    func oneThreadForEverything() async throws {
        try await withRedisServer { server async throws in
            let clients = (0..<20).map { _ in server.makeClient() }
            let subscriber = RedisSubscriber(url: server.url, logger: .disabled)
            let subscribed = Counter()
            let subscriptions = (0..<20).map { index in
                subscriber.start(channels: ["channel-\(index)"]) { event in
                    if event == .subscribed { subscribed.increment() }
                }
            }
            defer { subscriptions.forEach { $0.cancel() } }
            for client in clients {
                #expect(try await client.send("PING") == .simpleString("PONG"))
            }
            #expect(await eventually { subscribed.value == 20 })
            #expect(try await clients[0].send("PUBSUB", "NUMSUB", "channel-7").array?.last == .number(1))
            // A thread of another test (a child process's reader) may end between the listing and the read.
            let names = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").compactMap { task in
                try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8)
                    .trimmingCharacters(in: .whitespacesAndNewlines)
            }
            // One loop thread, or as many as the other tests of this process started of `perCore`: never one
            // per client or subscription.
            let loops = names.filter { $0 == "redis-loop" }.count
            #expect((1...RedisEventLoop.perCore.count).contains(loops), "\(names)")
        }
    }

    // MARK: - The loop as a task executor

    @Test("tasks preferring the loop as their executor run on its thread, before and after each reply, 10,000 at once")
    func tasksRunOnTheLoopThread() async throws {
        try await withRedisServer { server async throws in
            let client = server.makeClient()
            let calls = try await Self.increments(by: 10_000, callersOn: .shared, of: client)
            #expect(calls.map(\.value).sorted() == Array(1...10_000), "every caller got a distinct value")
            let threads = Set(calls.flatMap { [$0.threadBefore, $0.threadAfter] })
            #expect(threads.count == 1, "\(threads)")
            #expect(threads.map(Self.threadName(of:)) == ["redis-loop"])
            #expect(Self.threadName(of: Self.currentThreadID()) != "redis-loop", "the test's own task is not on the loop")
        }
    }

    @Test("a task on the loop that yields without end does not starve the loop's sockets")
    func yieldingTaskDoesNotStarveReplies() async throws {
        try await withRedisServer { server async throws in
            let client = server.makeClient()
            let spinning = Atomic<Bool>(true)
            let spins = Task(executorPreference: RedisEventLoop.shared) {
                var count = 0
                while spinning.load(ordering: .relaxed) {
                    count += 1
                    await Task.yield()
                }
                return count
            }
            let values = try await withTimeout(.seconds(30), "1,000 INCR callers beside a spinning task") {
                () async throws in
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<1_000 {
                        group.addTask { try #require(try await client.send("INCR", "counter").int) }
                    }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
            }
            spinning.store(false, ordering: .relaxed)
            #expect(values.sorted() == Array(1...1_000))
            #expect(await spins.value > 0)
        }
    }

    @Test("a task on one loop calls a client driven by another: each reply crosses back, and every caller is answered")
    func callersOnOneLoopClientOnAnother() async throws {
        try await withRedisServer { server async throws in
            let (home, other) = (RedisEventLoop.perCore[0], RedisEventLoop.perCore[RedisEventLoop.perCore.count - 1])
            let client = server.makeClient(configuration: RedisConfiguration(eventLoop: other))
            let otherThread = try await withTaskExecutorPreference(other) { () async throws in
                _ = try await client.send("PING")
                return Self.currentThreadID()
            }
            let calls = try await Self.increments(by: 2_000, callersOn: home, of: client)
            #expect(calls.map(\.value).sorted() == Array(1...2_000))
            let homeThreads = Set(calls.flatMap { [$0.threadBefore, $0.threadAfter] })
            #expect(homeThreads.count == 1, "every caller ran on its own loop's thread: \(homeThreads)")
            if home !== other {
                #expect(!homeThreads.contains(otherThread), "the client's loop is another thread")
            }
        }
    }

    // MARK: - Redis Functions

    @Test("call loads the function library when missing, again after FUNCTION FLUSH, once for concurrent callers")
    func functionCallLoadsItsLibrary() async throws {
        try await withRedisServer { server async throws in
            let client = server.makeClient()
            let library = RedisFunctionLibrary(name: "testlib", code: """
                redis.register_function('add' .. version, function(keys, args)
                    return redis.call('INCRBY', keys[1], args[1])
                end)
                redis.register_function('fail' .. version, function(keys, args)
                    return redis.error_reply('ERR refused on purpose')
                end)
                """)
            #expect(try await client.call("add", in: library, keys: ["sum"], arguments: [5]) == .number(5))
            #expect(try await client.send("FUNCTION", "LIST", "LIBRARYNAME", library.name).array?.count == 1)

            #expect(try await client.send("FUNCTION", "FLUSH") == .simpleString("OK"))
            let total = try await withTimeout(.seconds(20), "concurrent calls after FUNCTION FLUSH") {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<50 {
                        group.addTask {
                            _ = try await client.call("add", in: library, keys: [Array("sum".utf8)], arguments: [[0x31]])
                        }
                    }
                    try await group.waitForAll()
                    return try await client.send("GET", "sum").int
                }
            }
            #expect(total == 55)
            // One load before the flush; after it, the 50 callers that found the library missing together
            // shared one (or a few, if some found it missing only after the first load ended), not 50.
            let stats = try await client.send("INFO", "commandstats").string ?? ""
            let loads = Int(stats.firstMatch(of: /cmdstat_function\|load:calls=(\d+)/)?.1 ?? "") ?? 0
            print("figures: function library loads for 1 + 50 concurrent first calls: \(loads)")
            #expect((2...5).contains(loads), "\(loads) loads")

            let error = try await #require(throws: RedisError.self) {
                try await client.call("fail", in: library)
            }
            #expect(error.code == .server)
            #expect(error.message.contains("testlib") && error.message.contains("fail"))
            #expect(error.message.contains("refused on purpose"))
        }
    }

    @Test("a server that holds another version of a library serves each version's callers their own")
    func functionLibraryVersions() async throws {
        try await withRedisServer { server async throws in
            let client = server.makeClient()
            // The same library and function names, as two releases would write them: one adds, one multiplies.
            let older = RedisFunctionLibrary(name: "versioned", code: """
                redis.register_function('apply' .. version, function(keys, args)
                    return redis.call('INCRBY', keys[1], args[1])
                end)
                """)
            let newer = RedisFunctionLibrary(name: "versioned", code: """
                redis.register_function('apply' .. version, function(keys, args)
                    local value = tonumber(redis.call('GET', keys[1]) or '1') * tonumber(args[1])
                    return redis.call('SET', keys[1], value) and value
                end)
                """)
            #expect(older.version != newer.version && older.name != newer.name)
            #expect(older.registeredName(of: "apply") == "apply_\(older.version)")
            #expect(older.source.hasPrefix("#!lua name=versioned_\(older.version)\nlocal version = '_\(older.version)'\n"))

            // The server has the older version loaded (by a process of the previous release).
            _ = try await client.send("FUNCTION", "LOAD", older.source)
            #expect(try await client.call("apply", in: older, keys: ["n"], arguments: [3]) == .number(3))
            // A caller of the newer version is not served the older code: its call loads the newer one.
            #expect(try await client.call("apply", in: newer, keys: ["n"], arguments: [5]) == .number(15))
            // Both stay loaded, so a process of either release keeps working during an upgrade.
            #expect(try await client.call("apply", in: older, keys: ["n"], arguments: [1]) == .number(16))
            let listed = try await client.send("FUNCTION", "LIST", "LIBRARYNAME", "versioned_*")
            #expect(listed.array?.count == 2)
        }
    }
}

extension RedisEventLoopTests {
    /// Sends `first` then a `BLPOP` that blocks for 20 s in one pipeline, and returns once the server shows
    /// the connection blocked: whatever is sent on it next stays in flight behind the `BLPOP`.
    private func blockedPipeline(
        on client: RedisClient, after first: RedisCommand, seenBy observer: RedisClient
    ) async throws -> Task<[RedisReply], any Error> {
        let blocked = Task { () async throws(RedisError) in
            try await client.pipeline([first, RedisCommand("BLPOP", "never", 20)])
        }
        let isBlocked = await eventually {
            try await observer.send("CLIENT", "LIST", "TYPE", "normal").string?.contains("cmd=blpop") == true
        }
        try #require(isBlocked, "the BLPOP never blocked the connection")
        return Task { try await blocked.value }
    }

    /// One `INCR` caller: the thread it ran on before and after its reply, and the value it got.
    private struct ThreadedCall: Sendable {
        let threadBefore: String
        let threadAfter: String
        let value: Int
    }

    /// `count` concurrent callers of `INCR counter`, each a task preferring `loop` as its executor.
    private static func increments(
        by count: Int, callersOn loop: RedisEventLoop, of client: RedisClient
    ) async throws -> [ThreadedCall] {
        try await withTimeout(.seconds(60), "\(count) INCR callers on a loop") { () async throws in
            try await withTaskExecutorPreference(loop) { () async throws in
                try await withThrowingTaskGroup(of: ThreadedCall.self) { group in
                    for _ in 0..<count {
                        group.addTask {
                            let before = currentThreadID()
                            let value = try #require(try await client.send("INCR", "counter").int)
                            return ThreadedCall(threadBefore: before, threadAfter: currentThreadID(), value: value)
                        }
                    }
                    return try await group.reduce(into: [ThreadedCall]()) { $0.append($1) }
                }
            }
        }
    }

    /// The ID of the thread running the caller: `/proc/thread-self` links to `PID/task/TID`.
    private static func currentThreadID() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self")) ?? "?"
    }

    /// The name of a thread given by its ID (`redis-loop` for an event loop's).
    private static func threadName(of id: String) -> String {
        (try? String(contentsOfFile: "/proc/\(id)/comm", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
    }

    /// The process ID of the server `client` talks to, as `INFO server` tells it.
    private static func processID(of client: RedisClient) async throws -> pid_t {
        let info = try #require(try await client.send("INFO", "server").string)
        let line = try #require(info.split(separator: "\r\n").first { $0.hasPrefix("process_id:") })
        return try #require(pid_t(line.dropFirst("process_id:".count)))
    }

    /// Runs `count` concurrent callers and returns each one's outcome: `nil` for success, or its error's code.
    private static func outcomes(
        of count: Int, _ body: @escaping @Sendable (Int) async throws(RedisError) -> Void
    ) async -> [RedisError.Code?] {
        await withTaskGroup(of: RedisError.Code?.self) { group in
            for index in 0..<count {
                group.addTask {
                    do throws(RedisError) {
                        try await body(index)
                        return nil
                    } catch {
                        return error.code
                    }
                }
            }
            return await group.reduce(into: [RedisError.Code?]()) { $0.append($1) }
        }
    }
}

/// A count that concurrent tasks and the event loop's handlers can bump.
private final class Counter: Sendable {
    private let count = Atomic<Int>(0)

    var value: Int { count.load(ordering: .relaxed) }

    func increment() {
        count.add(1, ordering: .relaxed)
    }
}
