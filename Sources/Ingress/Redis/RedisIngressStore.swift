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

/// The ingress's view of Redis: the atomic accept step, the order and stock read models, and the backlog it
/// sheds on. What the running system says about itself (heartbeats, metrics, trace logs) is read through
/// `RedisSystemReader`.
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
        /// `PUBLISH` on the channel (on a Redis Cluster `SPUBLISH` on the order's partition channel,
        /// `order.created{p07}`); "no subscriber" is nobody listening (`PUBSUB NUMSUB` / `SHARDNUMSUB`).
        case publish
        /// `XADD` to the stream; "no subscriber" is no consumer group on it.
        case streams
    }

    private let client: RedisClient
    private let emission: Emission
    /// How `order.created` is named: plainly on one server, per partition on a cluster (channel or stream).
    private let layout: ChannelLayout
    /// How it is sent: `PUBLISH`, `SPUBLISH` (a cluster) or `XADD`.
    private let mode: EmitRoutine.Mode
    private let durableAccept: Duration?

    /// Creates the store.
    /// - Parameters:
    ///   - client: the connection to use.
    ///   - emission: how `order.created` is sent, matching the services' transport.
    ///   - durableAccept: when set, `accept` succeeds only once a replica has the order (`WAIT 1`), waiting
    ///     at most this long; `nil` answers as soon as the primary has it.
    public init(client: RedisClient, emission: Emission = .publish, durableAccept: Duration? = nil) {
        self.client = client
        self.emission = emission
        self.layout = ChannelLayout(url: client.url)
        self.mode = emission == .streams ? .streams : EmitRoutine.Mode(pubSubIn: layout)
        self.durableAccept = durableAccept
    }

    /// Checks the idempotency key, publishes, records the accepted order, keeps its card in the vault and
    /// starts the order's trace log, in one step: a request that reaches no subscriber records nothing, and
    /// a repeated key publishes nothing. A Redis Function (library `switchboard_ingress`), so a restarted or
    /// promoted server has it; it emits and traces with the bus's `EmitRoutine`, as a commit does.
    ///
    /// `KEYS`: accepted order, idempotency key, channel or stream, trace log, vault entry. `ARGV`: the
    /// accepted order, the event, the idempotency claim (or empty), retention seconds, the mode
    /// (`EmitRoutine.Mode`), trace retention seconds, card number, vault retention seconds.
    public static let library = RedisFunctionLibrary(
        name: "switchboard_ingress", code: EmitRoutine.luaSource + acceptSource
    )

    private static let acceptSource = #"""
        local function accept(keys, args)
            if args[3] ~= '' then
                local existing = redis.call('GET', keys[2])
                if existing then return {0, existing} end
            end
            local count = receivers(args[5], keys[3])
            if count == 0 then return {1, 0} end
            local received = emit(args[5], keys[3], keys[4], args[2], args[6], true)
            redis.call('SET', keys[5], args[7], 'EX', args[8])
            redis.call('SET', keys[1], args[1], 'EX', args[4])
            if args[3] ~= '' then redis.call('SET', keys[2], args[3], 'EX', args[4]) end
            return {2, received or count}
        end

        redis.register_function('switchboard_accept' .. version, accept)
        """#

    public func accept(_ event: CloudEvent, order: AcceptedOrder, card: VaultedCard, idempotency: IdempotencyClaim?)
        async throws(EventBusError) -> AcceptResult
    {
        let accepted = order.jsonBytes
        let claim = idempotency.map { "\(order.orderId)\n\($0.fingerprint)" } ?? ""
        // Without a claim the idempotency key is not touched: the accepted order's key stands in for it, so
        // the call's keys stay in the order's slot.
        let acceptedKey = Self.acceptedKey(order.orderId)
        let keys: [any RedisArgumentConvertible] = [
            acceptedKey, idempotency.map { Self.idempotencyKey($0.key) } ?? acceptedKey,
            // On a cluster the order's partition channel or stream (`order.created{p07}`), in the order's slot.
            layout.channel(of: event.type, forOrder: order.orderId),
            TraceLog.key(for: order.orderId), CardVault.key(for: card.token, orderID: order.orderId),
        ]
        let arguments: [any RedisArgumentConvertible] = [
            accepted, event.encoded(), claim, Self.retentionSeconds, mode.rawValue,
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

    public func stock(_ sku: String) async throws(EventBusError) -> (available: Int, reserved: Int)? {
        let reply = try await run { () async throws(RedisError) in
            let key = StockKeys.item(sku)
            return try await client.send(RedisCommand("HMGET", key, "available", "reserved").routed(by: key))
        }
        guard let fields = reply.array, fields.count == 2, let available = fields[0].int else { return nil }
        return (available, fields[1].int ?? 0)
    }

    /// On streams, `lag` plus `pending` of every consumer group (`XINFO GROUPS`) of every event stream; a
    /// group whose lag Redis cannot tell counts its pending entries only. `nil` on pub/sub.
    public func backlog() async throws(EventBusError) -> Int? {
        guard emission == .streams else { return nil }
        // Every stream of every type (on a cluster, each type's partition streams), in one pipeline.
        let commands = EventTypes.all.flatMap(layout.channels(of:)).map {
            RedisCommand("XINFO", "GROUPS", $0).routed(by: $0)
        }
        let replies: [RedisReply]
        do throws(RedisError) {
            replies = try await client.pipeline(commands)
        } catch {
            throw EventBusError(.unavailable, error.message)
        }
        var total = 0
        for group in replies.flatMap({ $0.array ?? [] }) {  // an error reply: no such stream yet
            let fields = group.array ?? []
            for index in stride(from: 0, to: fields.count - 1, by: 2)
            where ["lag", "pending"].contains(fields[index].string ?? "") {
                total += fields[index + 1].int ?? 0
            }
        }
        return total
    }

    private func run<Value>(_ body: () async throws(RedisError) -> Value) async throws(EventBusError) -> Value {
        try await EventBusError.mapping(body)
    }
}
