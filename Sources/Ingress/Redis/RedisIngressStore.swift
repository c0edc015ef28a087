#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import EventBus
import EventBusRedis
import OrderService
import RedisClient
import SagaEvents
import StockService
import Telemetry

/// The ingress's view of Redis: the order and stock read models, heartbeats, trace logs, and the
/// atomic accept step.
///
/// Own keys: `ingress:order:{p07}:<id>` (an accepted order the order service has not recorded yet) and
/// `ingress:idempotency:{p12}:<key>` (which order an `Idempotency-Key` produced, and for which request),
/// both kept for `retentionSeconds`, each in the `Partition` of its id or key. It writes (and may not read)
/// the `CardVault`'s `vault:card:{p07}:<token>`.
public struct RedisIngressStore: IngressStore {
    /// How long accepted orders and idempotency keys are kept: one day.
    public static let retentionSeconds = 24 * 3600

    /// The key of an accepted order: `ingress:order:{p07}:<id>`, in the order's partition.
    public static func acceptedKey(_ orderID: String) -> String {
        "ingress:order:\(Partition.tag(of: orderID)):\(orderID)"
    }

    /// The key of an `Idempotency-Key`'s claim: `ingress:idempotency:{p12}:<key>`, in the key's partition.
    public static func idempotencyKey(_ key: String) -> String {
        "ingress:idempotency:\(Partition.tag(of: key)):\(key)"
    }

    /// How `order.created` reaches the services.
    public enum Emission: String, Sendable {
        /// `PUBLISH` on the channel; "no subscriber" is nobody listening.
        case publish
        /// `XADD` to the stream; "no subscriber" is no consumer group on it.
        case streams
    }

    private let client: RedisClient
    private let emission: Emission
    private let makeFollowingClient: @Sendable () -> RedisClient
    private let durableAccept: Duration?
    private let layout: EventKeyLayout

    /// How long one blocking read of a trace log waits for new events while following it, in milliseconds.
    static let followBlockMilliseconds = 1000

    /// Creates the store.
    /// - Parameters:
    ///   - client: the connection to use.
    ///   - emission: how `order.created` is sent, matching the services' transport.
    ///   - followingClient: makes a connection of its own for each follower of a trace log, whose
    ///     blocking reads must not hold up other requests; by default a client like `client`.
    ///   - durableAccept: when set, `accept` succeeds only once a replica has the order (`WAIT 1`), waiting
    ///     at most this long; `nil` answers as soon as the primary has it.
    public init(
        client: RedisClient, emission: Emission = .publish, followingClient: (@Sendable () -> RedisClient)? = nil,
        durableAccept: Duration? = nil
    ) {
        self.client = client
        self.emission = emission
        self.makeFollowingClient = followingClient ?? { client }
        self.durableAccept = durableAccept
        self.layout = EventKeyLayout(url: client.url)
    }

    /// Checks the idempotency key, publishes, records the accepted order, keeps its card in the vault and
    /// starts the order's trace log, in one step: a request that reaches no subscriber records nothing, and
    /// a repeated key publishes nothing. A Redis Function (library `switchboard_ingress`), so a restarted or
    /// promoted server has it.
    ///
    /// `KEYS`: accepted order, idempotency key, channel or stream, trace log, vault entry. `ARGV`: the
    /// accepted order, the event, the idempotency claim (or empty), retention seconds, `publish` | `streams`,
    /// trace capacity, trace retention seconds, card number, vault retention seconds.
    public static let library = RedisFunctionLibrary(name: "switchboard_ingress", source: #"""
        #!lua name=switchboard_ingress

        local function accept(keys, args)
            if args[3] ~= '' then
                local existing = redis.call('GET', keys[2])
                if existing then return {0, existing} end
            end
            local receivers
            if args[5] == 'publish' then
                -- Subscribers of the channel itself: pattern subscribers (tail) do not count.
                if redis.call('PUBSUB', 'NUMSUB', keys[3])[2] == 0 then return {1, 0} end
                receivers = redis.call('PUBLISH', keys[3], args[2])
            else
                local ok, groups = pcall(redis.call, 'XINFO', 'GROUPS', keys[3])
                if not ok or #groups == 0 then return {1, 0} end
                redis.call('XADD', keys[3], '*', 'event', args[2])
                receivers = #groups
            end
            redis.call('SET', keys[5], args[8], 'EX', args[9])
            redis.call('SET', keys[1], args[1], 'EX', args[4])
            if args[3] ~= '' then redis.call('SET', keys[2], args[3], 'EX', args[4]) end
            redis.call('XADD', keys[4], 'MAXLEN', '~', args[6], '*', 'event', args[2])
            redis.call('EXPIRE', keys[4], args[7])
            return {2, receivers}
        end

        redis.register_function('switchboard_accept', accept)
        """#)

    public func accept(_ event: CloudEvent, order: AcceptedOrder, card: VaultedCard, idempotency: IdempotencyClaim?)
        async throws(EventBusError) -> AcceptResult
    {
        let accepted = order.jsonBytes
        let claim = idempotency.map { "\(order.orderId)\n\($0.fingerprint)" } ?? ""
        // Without a claim the idempotency key is not touched: the accepted order's key stands in for it, so
        // the call's keys stay in the order's slot.
        let acceptedKey = Self.acceptedKey(order.orderId)
        // On a cluster the order's partition stream (`order.created{p07}`), in the order's slot.
        let channel = emission == .streams ? layout.key(of: event.type, in: Partition(of: order.orderId)) : event.type
        let keys: [any RedisArgumentConvertible] = [
            acceptedKey, idempotency.map { Self.idempotencyKey($0.key) } ?? acceptedKey, channel,
            TraceLog.key(for: order.orderId), CardVault.key(for: card.token, orderID: order.orderId),
        ]
        let arguments: [any RedisArgumentConvertible] = [
            accepted, event.encoded(), claim, Self.retentionSeconds, emission.rawValue, TraceLog.capacity,
            TraceLog.retentionSeconds, card.number, CardVault.retentionSeconds,
        ]
        let reply = try await run { () async throws(RedisError) in
            guard let durableAccept else {
                return try await client.call("switchboard_accept", in: Self.library, keys: keys, arguments: arguments)
            }
            let (reply, replicas) = try await client.call(
                "switchboard_accept", in: Self.library, keys: keys.map(\.redisArgument),
                arguments: arguments.map(\.redisArgument), waitingForReplicas: 1, timeout: durableAccept
            )
            guard replicas >= 1 else {
                throw RedisError(.unavailable, """
                    no Redis replica confirmed order \(order.orderId) within \(durableAccept) \
                    (http.durableAcceptMilliseconds): it may or may not be processed; retry with the same \
                    Idempotency-Key, and check the replicas (switchboard health)
                    """)
            }
            return reply
        }
        guard let parts = reply.array, parts.count == 2, let outcome = parts[0].int else {
            throw EventBusError(.rejected, "\(Self.library.name) answered \(reply)")
        }
        switch outcome {
        case 0:
            let stored = parts[1].string ?? ""
            let split = stored.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
            return .repeated(orderID: String(split.first ?? ""), fingerprint: split.count > 1 ? String(split[1]) : "")
        case 1:
            return .noSubscriber
        default:
            return .accepted(receivers: parts[1].int)
        }
    }

    /// The order service's record (`HGETALL`), else the ingress's record of the accepted order (`GET`),
    /// read only when the first is missing.
    public func order(_ id: String) async throws(EventBusError) -> OrderRecord? {
        let key = OrderKeys.order(id)
        let hash = try await run { () async throws(RedisError) in
            try await client.send(RedisCommand("HGETALL", key).routed(by: key))
        }
        if let stored = try StoredRecord(hash: hash, key: key) {
            do {
                return try OrderRecord(stored: stored)
            } catch {
                throw EventBusError(.rejected, "the order record \(key) cannot be read: \(error)")
            }
        }
        let accepted = Self.acceptedKey(id)
        let text = try await run { () async throws(RedisError) in
            try await client.send(RedisCommand("GET", accepted).routed(by: accepted))
        }
        guard let text = text.string,
              let accepted = try? JSONDecoder().decode(AcceptedOrder.self, from: Data(text.utf8))
        else { return nil }
        var record = OrderRecord(orderId: accepted.orderId)
        record.customerId = accepted.customerId
        record.items = accepted.items
        return record
    }

    public func history(_ id: String) async throws(EventBusError) -> [OrderHistory.Entry] {
        OrderHistory.entries(from: try await trace(id))
    }

    public func stock(_ sku: String) async throws(EventBusError) -> (available: Int, reserved: Int)? {
        let reply = try await run { () async throws(RedisError) in
            let key = StockKeys.item(sku)
            return try await client.send(RedisCommand("HMGET", key, "available", "reserved").routed(by: key))
        }
        guard let fields = reply.array, fields.count == 2, let available = fields[0].int else { return nil }
        return (available, fields[1].int ?? 0)
    }

    public func instances() async throws(EventBusError) -> [InstanceHeartbeat] {
        try await values(prefix: InstanceHeartbeat.keyPrefix).compactMap { _, value in
            try? JSONDecoder().decode(InstanceHeartbeat.self, from: Data(value))
        }
    }

    public func metricsSnapshots() async throws(EventBusError) -> [(instance: String, snapshot: MetricsSnapshot)] {
        try await values(prefix: MetricsSnapshot.keyPrefix).compactMap { key, value in
            guard let snapshot = try? JSONDecoder().decode(MetricsSnapshot.self, from: Data(value)) else { return nil }
            return (String(key.dropFirst(MetricsSnapshot.keyPrefix.count)), snapshot)
        }
    }

    /// Every key with `prefix` (`SCAN`) and its value (`MGET`).
    private func values(prefix: String) async throws(EventBusError) -> [(key: String, value: [UInt8])] {
        let keys = try await run { () async throws(RedisError) in try await client.scan(matching: "\(prefix)*") }
        guard !keys.isEmpty else { return [] }
        let values = try await run { () async throws(RedisError) in try await client.send(RedisCommand("MGET", keys)) }
        return zip(keys, values.array ?? []).compactMap { key, value in value.bytes.map { (key, $0) } }
    }

    public func trace(_ correlationID: String) async throws(EventBusError) -> [CloudEvent] {
        let key = TraceLog.key(for: correlationID)
        let reply = try await run { () async throws(RedisError) in
            try await client.send(RedisCommand("XRANGE", key, "-", "+").routed(by: key))
        }
        return TraceLog.causalOrder(Self.events(in: reply).map(\.event))
    }

    /// The events already in the trace log, in causal order, then each event appended after them, read
    /// with `XREAD BLOCK` on a connection of the follower's own. The stream ends when its consumer stops,
    /// or when Redis fails (the client then reconnects and asks again).
    public func follow(_ correlationID: String) -> AsyncStream<CloudEvent> {
        let key = TraceLog.key(for: correlationID)
        let client = self.client
        let makeFollowingClient = self.makeFollowingClient
        let (events, continuation) = AsyncStream<CloudEvent>.makeStream()
        let task = Task {
            let follower = makeFollowingClient()
            do throws(RedisError) {
                let past = Self.events(in: try await client.send(RedisCommand("XRANGE", key, "-", "+").routed(by: key)))
                for event in TraceLog.causalOrder(past.map(\.event)) { continuation.yield(event) }
                var position = past.last?.id ?? "0-0"
                while !Task.isCancelled {
                    let reply = try await follower.send(RedisCommand("XREAD", "BLOCK", Self.followBlockMilliseconds,
                                                                     "STREAMS", key, position).routed(by: key))
                    guard let entries = reply.array?.first?.array?.last else { continue }
                    let read = Self.events(in: entries)
                    for entry in read { continuation.yield(entry.event) }
                    position = read.last?.id ?? position
                }
            } catch {}
            await follower.close()
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return events
    }

    /// The events of `XRANGE`-shaped entries, `[[id, [field, value, …]], …]`, with their entry ids;
    /// entries that are not events are skipped.
    private static func events(in reply: RedisReply) -> [(id: String, event: CloudEvent)] {
        RedisStreamEntry.entries(in: reply).compactMap { entry in
            guard let bytes = entry.fields[TraceLog.eventField], let event = try? CloudEvent(envelope: bytes) else {
                return nil
            }
            return (entry.id, event)
        }
    }

    public func ping() async throws(EventBusError) -> Duration {
        let start = ContinuousClock.now
        _ = try await run { () async throws(RedisError) in try await client.send("PING") }
        return ContinuousClock.now - start
    }

    /// On streams, `lag` plus `pending` of every consumer group (`XINFO GROUPS`) of every event stream; a
    /// group whose lag Redis cannot tell counts its pending entries only. `nil` on pub/sub.
    public func backlog() async throws(EventBusError) -> Int? {
        guard emission == .streams else { return nil }
        var total = 0
        for stream in EventTypes.all {
            let reply: RedisReply
            do throws(RedisError) {
                reply = try await client.send("XINFO", "GROUPS", stream)
            } catch where !error.isTransient {
                continue  // no such stream yet
            } catch {
                throw EventBusError(.unavailable, error.message)
            }
            for group in reply.array ?? [] {
                let fields = group.array ?? []
                for index in stride(from: 0, to: fields.count - 1, by: 2)
                where ["lag", "pending"].contains(fields[index].string ?? "") {
                    total += fields[index + 1].int ?? 0
                }
            }
        }
        return total
    }

    public func sentinel() async -> RedisSentinelStatus? {
        await client.sentinelStatus()
    }

    private func run<Value>(_ body: () async throws(RedisError) -> Value) async throws(EventBusError) -> Value {
        do {
            return try await body()
        } catch {
            throw EventBusError(error)
        }
    }
}
