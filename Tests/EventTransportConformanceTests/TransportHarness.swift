import EventBus
import EventBusInMemory
import EventBusRedis
import RedisClient
import Synchronization
import TestSupport
import Testing

/// The transports every conformance test runs against.
enum TransportKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case memory, pubsub, streams

    var testDescription: String { rawValue }
}

/// One transport under test and a view of the broker state its commits leave: the in-memory transport's
/// own accessors, or a private `redis-server` read with plain commands.
///
/// Each harness is fresh (an empty transport, a new server), so tests are independent.
final class TransportHarness: Sendable {
    /// How long an unacknowledged stream entry waits before it is delivered again, kept short for tests.
    static let claimIdle = Duration.milliseconds(200)

    let kind: TransportKind
    let transport: any EventTransport
    private let memory: InMemoryTransport?
    private let server: RedisServer?
    private let client: RedisClient?
    /// What pub/sub delivered to a watcher of every channel: pub/sub keeps nothing to read back.
    private let heard = Mutex<[InboundMessage]>([])

    private init(kind: TransportKind, transport: any EventTransport, memory: InMemoryTransport?, server: RedisServer?) {
        self.kind = kind
        self.transport = transport
        self.memory = memory
        self.server = server
        self.client = server?.makeClient()
    }

    /// Runs `body` with a fresh harness of `kind`, stopping its server afterwards.
    static func with(_ kind: TransportKind, _ body: @escaping @Sendable (TransportHarness) async throws -> Void)
        async throws
    {
        switch kind {
        case .memory:
            let memory = InMemoryTransport()
            let harness = TransportHarness(kind: kind, transport: memory, memory: memory, server: nil)
            try await withTimeout { try await body(harness) }
        case .pubsub, .streams:
            try await withRedisServer { server in
                let transport: any EventTransport = kind == .pubsub
                    ? RedisPubSubTransport(url: server.url, logger: .disabled)
                    : RedisStreamsTransport(url: server.url, configuration: StreamsConfiguration(
                        block: .milliseconds(100), claimIdle: claimIdle
                    ), logger: .disabled)
                let harness = TransportHarness(kind: kind, transport: transport, memory: nil, server: server)
                try await withTimeout {
                    let listening = kind == .pubsub ? Task { await harness.listen() } : nil
                    defer { listening?.cancel() }
                    if kind == .pubsub {
                        try #require(await eventually { try await server.cli("PUBSUB", "NUMPAT") == "1" })
                    }
                    try await body(harness)
                }
            }
        }
    }

    /// Whether a message left unacknowledged is delivered again (streams), or only once (pub/sub, memory).
    var redelivers: Bool { kind == .streams }

    /// Commits without a message to acknowledge.
    func apply(_ commit: Commit) async throws -> CommitResult {
        try await transport.commit(commit, acknowledging: nil, group: "conformance")
    }

    /// Waits until a consumer of `channel` is in place, so a message published next reaches it.
    func waitUntilConsuming(_ channel: String) async throws {
        switch kind {
        case .memory:
            let memory = try #require(memory)
            try #require(await eventually { await memory.receivers(on: channel) > 0 }, "a consumer of \(channel)")
        case .pubsub:
            let server = try #require(server)
            try #require(await eventually { try await server.cli("PUBSUB", "NUMSUB", channel) == "\(channel)\n1" },
                         "a subscriber of \(channel)")
        case .streams:
            break  // A group reads its streams from the start: nothing published is missed.
        }
    }

    /// The events emitted on `channel` so far, oldest first.
    func emitted(on channel: String) async throws -> [CloudEvent] {
        switch kind {
        case .memory:
            return try await #require(memory).published.filter { $0.type == channel }
        case .pubsub:
            // Pub/sub keeps nothing: a marker published after the commits shows everything before it arrived.
            let marker = "marker-\(RandomIdentifier.uuid())"
            _ = try await transport.publish(raw: Array(marker.utf8), on: "conformance.marker")
            try #require(await eventually { self.heard.withLock { $0.contains { $0.payload == Array(marker.utf8) } } })
            return try heard.withLock { $0 }.filter { $0.channel == channel }.map {
                try CloudEvent(decoding: $0.payload, channel: $0.channel)
            }
        case .streams:
            return try await entries(of: channel).map { try CloudEvent(decoding: $0, channel: channel) }
        }
    }

    /// A chain's trace log, oldest first.
    func trace(_ correlationID: String) async throws -> [CloudEvent] {
        if let memory { return await memory.trace(correlationID) }
        return try await entries(of: TraceLog.key(for: correlationID)).map { try CloudEvent(envelope: $0) }
    }

    /// An integer field of a hash; 0 when absent.
    func field(_ field: String, of key: String) async throws -> Int {
        if let memory { return await memory.field(field, of: key) }
        return try await redis("HGET", key, field).int ?? 0
    }

    /// Sets an integer field of a hash.
    func setField(_ field: String, of key: String, to value: Int) async throws {
        if let memory { return await memory.setField(field, of: key, to: value) }
        _ = try await redis("HSET", key, field, "\(value)")
    }

    /// A list, newest first.
    func list(_ key: String) async throws -> [String] {
        if let memory { return await memory.list(key) }
        return try await redis("LRANGE", key, "0", "-1").array?.compactMap(\.string) ?? []
    }

    /// How long `key` is still kept; `nil` when it has no expiry (or does not exist).
    func expiry(of key: String) async throws -> Duration? {
        if let memory { return await memory.expiry(of: key) }
        let milliseconds = try await redis("PTTL", key).int ?? -1
        return milliseconds < 0 ? nil : .milliseconds(milliseconds)
    }

    /// Messages a stream group holds delivered but unacknowledged; 0 on transports without acknowledgement.
    func pending(on channel: String, group: String) async throws -> Int {
        guard kind == .streams else { return 0 }
        return try await redis("XPENDING", channel, group).array?.first?.int ?? 0
    }

    private func redis(_ arguments: String...) async throws -> RedisReply {
        try await #require(client).send(RedisCommand(name: arguments[0], arguments: Array(arguments.dropFirst())))
    }

    /// The `event` field of each entry of a stream, oldest first.
    private func entries(of stream: String) async throws -> [[UInt8]] {
        try await RedisStreamEntry.entries(in: redis("XRANGE", stream, "-", "+")).compactMap {
            $0.fields[TraceLog.eventField]
        }
    }

    private func listen() async {
        for await message in transport.watch(pattern: "*") {
            heard.withLock { $0.append(message) }
        }
    }
}
