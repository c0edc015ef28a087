import EventBus
import Lifecycle

/// A transport that keeps everything in memory, for unit tests of service logic.
///
/// It follows the semantics the services rely on: each group gets each message once (instances of a
/// group share them round-robin), `watch` sees everything, and `commit` is atomic with the same
/// version, condition and fallback rules as the Redis Function, and remembers the expiries it would set
/// (`expiry(of:)`). `EventTransportConformanceTests` holds it and the Redis transports to the same tests.
/// It also records every published event, so tests can assert on what a service emitted.
public actor InMemoryTransport: EventTransport {
    public nonisolated let name = "memory"

    private struct Group {
        var consumers: [AsyncStream<InboundMessage>.Continuation] = []
        var next = 0
    }

    private var groups: [String: [String: Group]] = [:]  // channel → group → consumers
    private var watchers: [(accepts: @Sendable (String) -> Bool, continuation: AsyncStream<InboundMessage>.Continuation)]
        = []
    private var records: [String: StoredRecord] = [:]
    private var hashes: [String: [String: Int]] = [:]
    private var lists: [String: [String]] = [:]
    private var expiries: [String: Duration] = [:]
    private let finalRecordRetention: Duration

    /// Every event published, in order, whether by `publish` or by a commit.
    public private(set) var published: [CloudEvent] = []

    /// Creates an empty transport.
    /// - Parameter finalRecordRetention: the expiry a final commit gives its record (`expiry(of:)`).
    public init(finalRecordRetention: Duration = Commit.defaultFinalRecordRetention) {
        self.finalRecordRetention = finalRecordRetention
    }

    public func publish(_ event: CloudEvent) async throws(EventBusError) -> Int? {
        published.append(event)
        return deliver(InboundMessage(channel: event.type, payload: event.encoded()))
    }

    public func publish(raw payload: [UInt8], on channel: String) async throws(EventBusError) -> Int? {
        if let event = try? CloudEvent(decoding: payload, channel: channel) { published.append(event) }
        return deliver(InboundMessage(channel: channel, payload: payload))
    }

    public nonisolated func consume(
        channels: [String], group: String, consumer: String, until shutdown: GracefulShutdown
    ) -> InboundMessages {
        let (stream, continuation) = AsyncStream<InboundMessage>.makeStream()
        shutdown.onRequest { continuation.finish() }
        Task { await self.join(channels: channels, group: group, continuation: continuation) }
        return InboundMessages(stream)
    }

    public nonisolated func watch(pattern: String) -> AsyncStream<InboundMessage> {
        let glob = GlobPattern(pattern)
        return watch { glob.matches($0) }
    }

    public nonisolated func watch(channels: [String]) -> AsyncStream<InboundMessage> {
        let names = Set(channels)
        return watch { names.contains($0) }
    }

    private nonisolated func watch(_ accepts: @escaping @Sendable (String) -> Bool) -> AsyncStream<InboundMessage> {
        let (stream, continuation) = AsyncStream<InboundMessage>.makeStream()
        Task { await self.addWatcher(accepts: accepts, continuation: continuation) }
        return stream
    }

    public func acknowledge(_ message: InboundMessage, group: String) async throws(EventBusError) {}

    public func record(_ key: String) async throws(EventBusError) -> StoredRecord? {
        records[key]
    }

    public func commit(_ commit: Commit, acknowledging message: InboundMessage?, group: String)
        async throws(EventBusError) -> CommitResult
    {
        let current = records[commit.key]
        guard (current?.version ?? 0) == commit.expectedVersion else { return .conflict(current: current) }
        let failing = commit.conditions.firstIndex { (hashes[$0.key]?[$0.field] ?? 0) < $0.minimum }
        let outcome = commit.outcome(chosenBy: failing)
        let version = commit.expectedVersion + 1
        records[commit.key] = StoredRecord(version: version, fields: outcome.record)
        if outcome.isFinal { expiries[commit.key] = finalRecordRetention }
        for change in outcome.changes {
            switch change {
            case .increment(let key, let field, let amount):
                hashes[key, default: [:]][field, default: 0] += amount
            case .prepend(let key, let value, let keep):
                lists[key, default: []].insert(value, at: 0)
                lists[key] = Array(lists[key]!.prefix(keep))
            case .delete(let key):
                records[key] = nil
                hashes[key] = nil
                lists[key] = nil
            case .trace(let event):
                appendToTrace(event)
                expiries[traceKey(of: event)] = .seconds(TraceLog.retentionSeconds)
            }
        }
        for event in outcome.events {
            appendToTrace(event)
            _ = try await publish(event)
        }
        return .applied(fallback: failing, version: version)
    }

    /// Runs `body` on the transport's records and integer hash fields in one step, as a Redis Function runs
    /// on the broker: the in-memory stand-ins of the services' own functions (the stock counters' steps in
    /// tests) are written with it, on the same keys the commits see.
    public func atomically<Result: Sendable>(
        _ body: @Sendable (inout [String: StoredRecord], inout [String: [String: Int]]) -> Result
    ) -> Result {
        body(&records, &hashes)
    }

    /// An integer field of a hash, as `Commit.Change.increment` left it (0 when absent).
    public func field(_ field: String, of key: String) -> Int {
        hashes[key]?[field] ?? 0
    }

    /// Sets an integer field of a hash, e.g. to stock a SKU before a test.
    public func setField(_ field: String, of key: String, to value: Int) {
        hashes[key, default: [:]][field] = value
    }

    /// A chain's trace log, oldest first, as commits left it.
    public func trace(_ correlationID: String) -> [CloudEvent] {
        (lists[TraceLog.key(for: correlationID)] ?? []).reversed().compactMap { try? CloudEvent(envelope: Array($0.utf8)) }
    }

    /// How long `key` is kept after the last commit that set its expiry (a trace log, from its first entry
    /// or a chain's first event; a final record); `nil` when it is kept for ever. Time does not pass in memory: nothing
    /// expires, the transport only remembers what Redis would have been told.
    public func expiry(of key: String) -> Duration? {
        expiries[key]
    }

    /// How many consumer groups and watchers a message on `channel` would reach now (`PUBSUB NUMSUB`): a
    /// test waits for it before it publishes, since `consume` and `watch` join in the background.
    public func receivers(on channel: String) -> Int {
        (groups[channel] ?? [:]).values.filter { !$0.consumers.isEmpty }.count
            + watchers.filter { $0.accepts(channel) }.count
    }

    private func traceKey(of event: CloudEvent) -> String {
        TraceLog.key(for: event.correlationID ?? event.id)
    }

    private func appendToTrace(_ event: CloudEvent) {
        let key = traceKey(of: event)
        lists[key, default: []].insert(String(decoding: TraceLog.entry(for: event), as: UTF8.self), at: 0)
        lists[key] = Array(lists[key]!.prefix(TraceLog.capacity))
        if expiries[key] == nil { expiries[key] = .seconds(TraceLog.retentionSeconds) }
    }

    /// A list, newest first, as `Commit.Change.prepend` left it.
    public func list(_ key: String) -> [String] {
        lists[key] ?? []
    }

    private func join(channels: [String], group: String, continuation: AsyncStream<InboundMessage>.Continuation) {
        for channel in channels {
            groups[channel, default: [:]][group, default: Group()].consumers.append(continuation)
        }
    }

    private func addWatcher(
        accepts: @escaping @Sendable (String) -> Bool, continuation: AsyncStream<InboundMessage>.Continuation
    ) {
        watchers.append((accepts, continuation))
    }

    private func deliver(_ message: InboundMessage) -> Int {
        var receivers = 0
        for (name, var group) in groups[message.channel] ?? [:] where !group.consumers.isEmpty {
            group.consumers[group.next % group.consumers.count].yield(message)
            group.next += 1
            groups[message.channel]?[name] = group
            receivers += 1
        }
        for watcher in watchers where watcher.accepts(message.channel) {
            watcher.continuation.yield(message)
            receivers += 1
        }
        return receivers
    }
}
