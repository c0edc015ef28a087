import EventBus
import Foundation
import RedisClient
import TestSupport
import Testing

/// The built `switchboard` executable run as a process (`tail`, `publish`, usage errors), driven with
/// `redis-cli` against a private `redis-server`.
///
/// Closures spell out `async throws` because their `try`s may all sit inside `#expect`, which the closure's
/// effect inference does not look into.
@Suite("switchboard tail and publish, end to end")
struct TailEndToEndTests {
    @Test("tail prints a line for an event published with redis-cli")
    func tailPrintsEvents() async throws {
        try await withRedisServer { server async throws in
            let tail = try await Self.startTail(server)
            defer { tail.kill() }
            let json = #"{"orderId":"o-1","customerId":"c-1","items":[{"sku":"BOOK-1","quantity":1}],"#
                + #""payment":{"card":"4242424242424242"}}"#
            #expect(try await server.cli("PUBLISH", "order.created", json) == "1")
            let line = await tail.waitForLine { $0.contains("order.created") }
            let printed = try #require(line, "tail printed: \(tail.text()) \(tail.text(of: .standardError))")
            #expect(printed.contains("o-1"))
            #expect(printed.contains("c-1"))
            #expect(printed.contains("BOOK-1"))
            #expect(!printed.contains("\u{1B}["), "no colours when standard output is not a terminal")
        }
    }

    @Test("tail --transport streams prints entries added with redis-cli XADD, each once")
    func tailFollowsStreams() async throws {
        try await withRedisServer { server async throws in
            let order = { (id: String) in
                #"{"orderId":"\#(id)","customerId":"c-1","items":[{"sku":"BOOK-1","quantity":1}],"#
                    + #""payment":{"card":"4242424242424242"}}"#
            }
            let tail = try ChildProcess(Executable.switchboard, ["tail", "--transport", "streams", "--redis",
                                                                 server.urlString],
                                        environment: Self.environment, directory: server.directory)
            defer { tail.kill() }
            // No sign tells when tail reads: entries are added until one shows.
            var added = 0
            let following = await eventually(within: .seconds(15), every: .milliseconds(300)) {
                added += 1
                _ = try await server.cli("XADD", "order.created", "*", "event", order("o-probe-\(added)"))
                return tail.lines().contains { $0.contains("o-probe-") }
            }
            try #require(following, "tail printed: \(tail.text()) \(tail.text(of: .standardError))")
            _ = try await server.cli("XADD", "stock.reserved", "*", "event",
                                     #"{"orderId":"o-last","customerId":"c-1","items":[],"amount":1,"currency":"USD"}"#)
            let line = await tail.waitForLine { $0.contains("o-last") }
            let printed = try #require(line, "tail printed: \(tail.text()) \(tail.text(of: .standardError))")
            #expect(printed.contains("stock.reserved"))
            let probes = tail.lines().filter { $0.contains("o-probe-") }
            #expect(probes.count <= added && Set(probes).count == probes.count, "printed twice: \(probes)")
        }
    }

    @Test("tail prints a full CloudEvent with its correlation id and source")
    func tailPrintsEnvelopes() async throws {
        try await withRedisServer { server async throws in
            let tail = try await Self.startTail(server)
            defer { tail.kill() }
            let event = CloudEvent(source: "switchboard/payment", type: "payment.completed", correlationID: "o-42",
                                   data: ["orderId": "o-42", "paymentId": "p-7", "amount": 1250, "currency": "USD"])
            #expect(try await server.cli("PUBLISH", "payment.completed", String(decoding: event.encoded(),
                                                                               as: UTF8.self)) == "1")
            let line = await tail.waitForLine { $0.contains("payment.completed") }
            let printed = try #require(line, "tail printed: \(tail.text())")
            #expect(printed.contains("o-42"))
            #expect(printed.contains("payment"))
            #expect(printed.contains("p-7"))
        }
    }

    @Test("tail prints 'not an event' for a message that is not JSON, and goes on")
    func tailReportsNonEvents() async throws {
        try await withRedisServer { server async throws in
            let tail = try await Self.startTail(server)
            defer { tail.kill() }
            #expect(try await server.cli("PUBLISH", "order.created", "this is not json") == "1")
            let line = await tail.waitForLine { $0.contains("not an event") }
            let printed = try #require(line, "tail printed: \(tail.text())")
            #expect(printed.contains("order.created"))
            #expect(printed.contains("this is not json"))

            #expect(try await server.cli("PUBLISH", "stock.rejected", #"{"orderId":"o-9","reason":"x"}"#) == "1")
            #expect(await tail.waitForLine { $0.contains("stock.rejected") && $0.contains("o-9") } != nil)
            #expect(tail.isRunning)
        }
    }

    @Test("tail PATTERN shows only matching channels")
    func tailFiltersByPattern() async throws {
        try await withRedisServer { server async throws in
            let tail = try await Self.startTail(server, pattern: "payment.*")
            defer { tail.kill() }
            #expect(try await server.cli("PUBLISH", "order.created", #"{"orderId":"o-skip"}"#) == "0")
            #expect(try await server.cli("PUBLISH", "payment.failed", #"{"orderId":"o-10"}"#) == "1")
            #expect(await tail.waitForLine { $0.contains("payment.failed") } != nil)
            #expect(!tail.text().contains("o-skip"))
        }
    }

    @Test("tail survives a redis-server restart and goes on printing")
    func tailSurvivesRestart() async throws {
        try await withRedisServer { server async throws in
            let tail = try await Self.startTail(server)
            defer { tail.kill() }
            #expect(try await server.cli("PUBLISH", "order.created", #"{"orderId":"o-before"}"#) == "1")
            #expect(await tail.waitForLine { $0.contains("o-before") } != nil)

            try await server.restart()
            let resubscribed = await eventually(within: .seconds(15)) {
                try await server.cli("PUBSUB", "NUMPAT") == "1"
            }
            #expect(resubscribed, "stderr: \(tail.text(of: .standardError))")
            #expect(tail.isRunning, "stderr: \(tail.text(of: .standardError))")
            #expect(try await server.cli("PUBLISH", "order.created", #"{"orderId":"o-after"}"#) == "1")
            #expect(await tail.waitForLine { $0.contains("o-after") } != nil)
        }
    }

    @Test("SIGINT and SIGTERM make tail exit 0", arguments: [SIGINT, SIGTERM])
    func tailExitsOnSignal(signal: Int32) async throws {
        try await withRedisServer { server async throws in
            let tail = try await Self.startTail(server)
            defer { tail.kill() }
            // Once a line has come through, tail is fully running (its signal handlers are installed).
            #expect(try await server.cli("PUBLISH", "order.created", #"{"orderId":"o-11"}"#) == "1")
            #expect(await tail.waitForLine { $0.contains("o-11") } != nil)
            tail.send(signal: signal)
            let termination = await tail.waitForExit(timeout: .seconds(10))
            #expect(termination == .exited(0), "stderr: \(tail.text(of: .standardError))")
            #expect(await eventually { try await server.cli("PUBSUB", "NUMPAT") == "0" })
        }
    }

    @Test("tail exits 69 with one clear line when Redis is unreachable")
    func tailWithoutRedis() async throws {
        let url = "redis://127.0.0.1:\(FreePort.next())"
        let result = try await Self.switchboard(["tail", "--redis", url])
        #expect(result.exitCode == 69, "\(result)")
        #expect(result.standardError.contains("127.0.0.1"))
    }

    // MARK: - publish

    @Test("publish exits 0 and reports how many subscribers got the event")
    func publishToSubscriber() async throws {
        try await withRedisServer { server async throws in
            let subscriber = RedisSubscriber(url: server.url, logger: .disabled)
            try await withTimeout { () async throws in
                var events = subscriber.subscribe(channels: ["order.created"]).makeAsyncIterator()
                #expect(await events.next() == .subscribed)
                let result = try await Self.switchboard(["publish", "order.created", #"{"orderId":"o-12"}"#,
                                                         "--redis", server.urlString])
                #expect(result.exitCode == 0, "\(result)")
                #expect(result.standardOutput.contains("published order.created"))
                #expect(result.standardOutput.contains("to 1 subscriber(s)"))

                guard case .message(let message)? = await events.next() else {
                    Issue.record("the subscriber got no message")
                    return
                }
                let event = try CloudEvent(decoding: message.payload, channel: message.channel)
                #expect(event.type == "order.created")
                #expect(event.data["orderId"] == "o-12")
                #expect(event.correlationID == "o-12")
                #expect(result.standardOutput.contains("id=\(event.id)"))
            }
        }
    }

    @Test("publish with nobody listening exits 0 and says 0 subscribers")
    func publishWithoutSubscribers() async throws {
        try await withRedisServer(.init(listener: .tcp)) { server async throws in
            let result = try await Self.switchboard(["publish", "stock.released", #"{"orderId":"o-13"}"#,
                                                     "--redis", server.urlString])
            #expect(result.exitCode == 0, "\(result)")
            #expect(result.standardOutput.contains("to 0 subscriber(s)"))
        }
    }

    @Test("publish exits 65 for JSON that is not an event", arguments: ["{not json", "[1,2]"])
    func publishBadJSON(json: String) async throws {
        try await withRedisServer { server async throws in
            let result = try await Self.switchboard(["publish", "order.created", json, "--redis", server.urlString])
            #expect(result.exitCode == 65, "\(result)")
            #expect(result.standardError.hasPrefix("switchboard: "))
            #expect(result.standardError.contains("order.created"))
            #expect(result.standardOutput.isEmpty)
        }
    }

    @Test("publish exits 69 with one clear line when Redis is unreachable")
    func publishWithoutRedis() async throws {
        let port = FreePort.next()
        let result = try await Self.switchboard(["publish", "order.created", #"{"orderId":"o-14"}"#,
                                                 "--redis", "redis://127.0.0.1:\(port)"])
        #expect(result.exitCode == 69, "\(result)")
        let lines = result.standardError.split(separator: "\n")
        #expect(lines.count == 1, "\(result)")
        #expect(result.standardError.contains("127.0.0.1:\(port)"))
        #expect(result.standardError.contains("connection refused"))
    }

    @Test("an unknown command or missing arguments exit 64", arguments: [
        ["frobnicate"], ["publish", "order.created"], [], ["tail", "--no-such-flag", "x"],
    ])
    func usageErrors(arguments: [String]) async throws {
        let result = try await Self.switchboard(arguments + ["--redis", "redis://127.0.0.1:1"])
        #expect(result.exitCode == 64, "\(result)")
        #expect(result.standardError.contains("switchboard: "))
        #expect(result.standardError.contains("usage"))
    }

    @Test("an invalid Redis URL exits 78")
    func invalidRedisURL() async throws {
        let result = try await Self.switchboard(["publish", "order.created", "{}", "--redis", "http://nope"])
        #expect(result.exitCode == 78, "\(result)")
        #expect(result.standardError.contains("http://nope"))
    }

    // MARK: - Helpers

    /// Starts `switchboard tail` and waits until its pattern subscription reaches the server.
    private static func startTail(_ server: RedisServer, pattern: String? = nil) async throws -> ChildProcess {
        let arguments = ["tail"] + (pattern.map { [$0] } ?? []) + ["--redis", server.urlString]
        let tail = try ChildProcess(Executable.switchboard, arguments, environment: environment,
                                    directory: server.directory)
        let subscribed = await eventually(within: .seconds(15)) {
            try await server.cli("PUBSUB", "NUMPAT") == "1"
        }
        if !subscribed { tail.kill() }
        try #require(subscribed, "tail never subscribed; stderr: \(tail.text(of: .standardError))")
        return tail
    }

    /// Runs `switchboard` to its end, in a folder without `Config/`, with no Switchboard settings from the
    /// environment: only the flags count.
    private static func switchboard(_ arguments: [String]) async throws -> ChildProcess.Result {
        let directory = FileManager.default.temporaryDirectory.path
        return try await ChildProcess.run(Executable.switchboard, arguments, environment: environment,
                                          directory: directory)
    }

    /// The test process's environment without anything that configures Switchboard.
    private static var environment: [String: String] { TestSettings.environment() }
}
