#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import EventBus
import OrderService
import RedisClient
import SagaEvents
import StockService
import Telemetry

/// The ingress's view of Redis: the order and stock read models, heartbeats, trace logs, and the
/// atomic accept step.
///
/// Own keys: `ingress:order:<id>` (an accepted order the order service has not recorded yet) and
/// `ingress:idempotency:<key>` (which order an `Idempotency-Key` produced, and for which request),
/// both kept for `retentionSeconds`.
public struct RedisIngressStore: IngressStore {
    /// How long accepted orders and idempotency keys are kept: one day.
    public static let retentionSeconds = 24 * 3600

    /// How `order.created` reaches the services.
    public enum Emission: String, Sendable {
        /// `PUBLISH` on the channel; "no subscriber" is nobody listening.
        case publish
        /// `XADD` to the stream; "no subscriber" is no consumer group on it.
        case streams
    }

    private let client: RedisClient
    private let emission: Emission

    /// Creates the store.
    /// - Parameters:
    ///   - client: the connection to use.
    ///   - emission: how `order.created` is sent, matching the services' transport.
    public init(client: RedisClient, emission: Emission = .publish) {
        self.client = client
        self.emission = emission
    }

    /// Checks the idempotency key, publishes, records the accepted order and starts the order's trace
    /// log, in one script: a request that reaches no subscriber records nothing, and a repeated key
    /// publishes nothing.
    static let acceptScript = RedisScript(name: "ingress.accept", source: #"""
        if ARGV[3] ~= '' then
            local existing = redis.call('GET', KEYS[2])
            if existing then return {0, existing} end
        end
        local receivers
        if ARGV[5] == 'publish' then
            -- Subscribers of the channel itself: pattern subscribers (tail, the ingress's own feed) do not count.
            if redis.call('PUBSUB', 'NUMSUB', KEYS[3])[2] == 0 then return {1, 0} end
            receivers = redis.call('PUBLISH', KEYS[3], ARGV[2])
        else
            local ok, groups = pcall(redis.call, 'XINFO', 'GROUPS', KEYS[3])
            if not ok or #groups == 0 then return {1, 0} end
            redis.call('XADD', KEYS[3], '*', 'event', ARGV[2])
            receivers = #groups
        end
        redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[4])
        if ARGV[3] ~= '' then redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[4]) end
        redis.call('RPUSH', KEYS[4], ARGV[2])
        redis.call('LTRIM', KEYS[4], -tonumber(ARGV[6]), -1)
        redis.call('EXPIRE', KEYS[4], ARGV[7])
        return {2, receivers}
        """#)

    public func accept(_ event: CloudEvent, order: AcceptedOrder, idempotency: IdempotencyClaim?)
        async throws(EventBusError) -> AcceptResult
    {
        let accepted = Self.json(order)
        let claim = idempotency.map { "\(order.orderId)\n\($0.fingerprint)" } ?? ""
        let keys: [any RedisArgumentConvertible] = [
            "ingress:order:\(order.orderId)", "ingress:idempotency:\(idempotency?.key ?? "")", event.type,
            TraceLog.key(for: order.orderId),
        ]
        let reply = try await run { () async throws(RedisError) in
            try await client.evaluate(Self.acceptScript, keys: keys, arguments: [
                accepted, event.encoded(), claim, Self.retentionSeconds, emission.rawValue, TraceLog.capacity,
                TraceLog.retentionSeconds,
            ])
        }
        guard let parts = reply.array, parts.count == 2, let outcome = parts[0].int else {
            throw EventBusError(.rejected, "\(Self.acceptScript.name) answered \(reply)")
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

    public func order(_ id: String) async throws(EventBusError) -> OrderRecord? {
        let replies = try await run { () async throws(RedisError) in
            try await client.pipeline([RedisCommand("GET", OrderKeys.order(id)), RedisCommand("GET", "ingress:order:\(id)")])
        }
        if let text = replies.first?.string {
            do {
                return try OrderRecord(stored: text)
            } catch {
                throw EventBusError(.rejected, "the order record \(OrderKeys.order(id)) cannot be read: \(error)")
            }
        }
        guard let text = replies.last?.string,
              let accepted = try? JSONDecoder().decode(AcceptedOrder.self, from: Data(text.utf8))
        else { return nil }
        var record = OrderRecord(orderId: accepted.orderId)
        record.customerId = accepted.customerId
        record.items = accepted.items
        return record
    }

    public func stock(_ sku: String) async throws(EventBusError) -> (available: Int, reserved: Int)? {
        let reply = try await run { () async throws(RedisError) in
            try await client.send("HMGET", StockKeys.item(sku), "available", "reserved")
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
        var keys: [String] = []
        var cursor = "0"
        repeat {
            let reply = try await run { () async throws(RedisError) in
                try await client.send("SCAN", cursor, "MATCH", "\(prefix)*", "COUNT", 1000)
            }
            guard let parts = reply.array, parts.count == 2, let next = parts[0].string else { break }
            keys += (parts[1].array ?? []).compactMap(\.string)
            cursor = next
        } while cursor != "0"
        guard !keys.isEmpty else { return [] }
        let values = try await run { () async throws(RedisError) in try await client.send(RedisCommand("MGET", keys)) }
        return zip(keys, values.array ?? []).compactMap { key, value in value.bytes.map { (key, $0) } }
    }

    public func trace(_ correlationID: String) async throws(EventBusError) -> [CloudEvent] {
        let reply = try await run { () async throws(RedisError) in
            try await client.send("LRANGE", TraceLog.key(for: correlationID), 0, -1)
        }
        return TraceLog.causalOrder((reply.array ?? []).compactMap { entry in
            entry.bytes.flatMap { try? CloudEvent(envelope: $0) }
        })
    }

    public func ping() async throws(EventBusError) -> Duration {
        let start = ContinuousClock.now
        _ = try await run { () async throws(RedisError) in try await client.send("PING") }
        return ContinuousClock.now - start
    }

    private func run<Value>(_ body: () async throws(RedisError) -> Value) async throws(EventBusError) -> Value {
        do {
            return try await body()
        } catch {
            throw EventBusError(error.isConnectionProblem ? .unavailable : .rejected, error.message)
        }
    }

    private static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "{}"
    }
}
