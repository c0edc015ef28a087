#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import EventBus
import RedisClient

/// The Lua script that applies a `Commit` in one atomic step: compare the record, check the conditions,
/// write the chosen outcome, emit its events and acknowledge the handled message.
///
/// Every key the script touches is passed in `KEYS`; the commit travels as one JSON argument that refers
/// to keys by their index, and each event's JSON as an argument of its own (`ARGV[6…]`), so it is not
/// escaped into the spec. How events are emitted is the transport's: `PUBLISH` on pub/sub,
/// `XADD` on streams (trimmed apart, by `StreamTrimmer`), where the handled entry is `XACK`ed too.
struct CommitScript {
    /// How the script emits events and acknowledges.
    enum Emission {
        case publish
        case streams(acknowledge: (stream: String, group: String, id: String)?)
    }

    static let script = RedisScript(name: "switchboard.commit", source: #"""
        local spec = cjson.decode(ARGV[1])
        local function trace(k, event)
            redis.call('RPUSH', KEYS[k], event)
            redis.call('LTRIM', KEYS[k], -spec.traceCapacity, -1)
            redis.call('EXPIRE', KEYS[k], spec.traceRetention)
        end
        local current = redis.call('GET', KEYS[1])
        if current == false then current = nil end
        if spec.expected ~= current then return {0, 0} end
        local chosen = 0
        for i, condition in ipairs(spec.conditions) do
            local value = tonumber(redis.call('HGET', KEYS[condition.k], condition.f) or '0') or 0
            if value < condition.min then chosen = i break end
        end
        local outcome = spec.outcome
        if chosen > 0 then outcome = spec.fallbacks[chosen] end
        redis.call('SET', KEYS[1], outcome.record)
        for _, change in ipairs(outcome.changes) do
            if change.op == 'increment' then
                redis.call('HINCRBY', KEYS[change.k], change.f, change.n)
            elseif change.op == 'prepend' then
                redis.call('LPUSH', KEYS[change.k], change.v)
                redis.call('LTRIM', KEYS[change.k], 0, change.n - 1)
            elseif change.op == 'trace' then
                trace(change.k, ARGV[change.n])
            end
        end
        local mode = ARGV[2]
        for _, event in ipairs(outcome.events) do
            local payload = ARGV[event.a]
            if mode == 'publish' then
                redis.call('PUBLISH', KEYS[event.k], payload)
            else
                redis.call('XADD', KEYS[event.k], '*', 'event', payload)
            end
            trace(event.t, payload)
        end
        if mode == 'streams' and ARGV[3] ~= '' then
            redis.call('XACK', KEYS[tonumber(ARGV[3])], ARGV[4], ARGV[5])
        end
        return {1, chosen}
        """#)

    /// Runs `commit` on `client`.
    static func run(
        _ commit: Commit, emission: Emission, on client: RedisClient
    ) async throws(RedisError) -> CommitResult {
        var keys = KeyTable(first: commit.key)
        var payloads: [[UInt8]] = []
        let spec = Spec(commit, keys: &keys, payloads: &payloads)
        var arguments: [any RedisArgumentConvertible] = [Self.encode(spec)]
        switch emission {
        case .publish:
            arguments += ["publish", "", "", ""]
        case .streams(let acknowledge):
            if let acknowledge {
                arguments += ["streams", keys.index(of: acknowledge.stream), acknowledge.group, acknowledge.id]
            } else {
                arguments += ["streams", "", "", ""]
            }
        }
        arguments += payloads
        let reply = try await client.evaluate(script, keys: keys.keys, arguments: arguments)
        guard let parts = reply.array, parts.count == 2, let applied = parts[0].int, let chosen = parts[1].int else {
            throw RedisError(.protocolError, "\(script.name) answered \(reply), expected [applied, fallback]")
        }
        guard applied == 1 else { return .conflict }
        return .applied(fallback: chosen == 0 ? nil : chosen - 1)
    }

    private static let specEncoder = JSONEncoder()

    private static func encode(_ spec: Spec) -> [UInt8] {
        // Strings and integers always encode.
        (try? Array(specEncoder.encode(spec))) ?? []
    }

    /// The keys of one commit, each once, numbered as Lua's 1-based `KEYS`.
    private struct KeyTable {
        private(set) var keys: [String] = []
        private var indices: [String: Int] = [:]

        init(first: String) { _ = index(of: first) }

        mutating func index(of key: String) -> Int {
            if let index = indices[key] { return index }
            keys.append(key)
            indices[key] = keys.count
            return keys.count
        }
    }

    /// The commit as the script reads it.
    private struct Spec: Encodable {
        struct Condition: Encodable { var k: Int, f: String, min: Int }
        struct Change: Encodable { var op: String, k: Int, f: String?, v: String?, n: Int }
        struct Event: Encodable { var k: Int, a: Int, t: Int }
        struct Outcome: Encodable {
            var record: String
            var changes: [Change]
            var events: [Event]
        }

        var expected: String?
        var traceCapacity = TraceLog.capacity
        var traceRetention = TraceLog.retentionSeconds
        var conditions: [Condition]
        var outcome: Outcome
        var fallbacks: [Outcome]

        /// The first `ARGV` index of the payloads: after the spec, the mode and the three acknowledgement arguments.
        static let firstPayloadArgument = 6

        init(_ commit: Commit, keys: inout KeyTable, payloads: inout [[UInt8]]) {
            func argument(_ event: CloudEvent) -> Int {
                payloads.append(event.encoded())
                return Self.firstPayloadArgument + payloads.count - 1
            }
            func outcome(_ outcome: Commit.Outcome) -> Outcome {
                let changes = outcome.changes.map { change in
                    switch change {
                    case .increment(let key, let field, let amount):
                        Change(op: "increment", k: keys.index(of: key), f: field, v: nil, n: amount)
                    case .prepend(let key, let value, let keep):
                        Change(op: "prepend", k: keys.index(of: key), f: nil, v: value, n: keep)
                    case .trace(let event):
                        Change(op: "trace", k: keys.index(of: TraceLog.key(for: event.correlationID ?? event.id)),
                               f: nil, v: nil, n: argument(event))
                    }
                }
                let events = outcome.events.map { event in
                    Event(k: keys.index(of: event.type), a: argument(event),
                          t: keys.index(of: TraceLog.key(for: event.correlationID ?? event.id)))
                }
                return Outcome(record: outcome.record, changes: changes, events: events)
            }
            expected = commit.expected
            conditions = commit.conditions.map { Condition(k: keys.index(of: $0.key), f: $0.field, min: $0.minimum) }
            self.outcome = outcome(commit.outcome)
            fallbacks = commit.fallbacks.map(outcome)
        }
    }
}
