import EventBus
import RedisClient
import Telemetry

/// The Redis Function that applies a `Commit` in one atomic step: compare the record's version, check
/// the conditions, write the chosen outcome's changed fields (and the record's expiry when the outcome is
/// final) and other changes (`HINCRBY`, `LPUSH`, `DEL`, trace logs), emit its events, log them to their
/// chains' trace logs and acknowledge the handled message.
///
/// It lives in the library `switchboard_bus` (`FUNCTION LOAD`), so a restarted server that kept its
/// data, or a replica promoted to primary, has it too (functions persist in RDB/AOF and replicate); a
/// server without it gets it loaded on the first call (`RedisClient.call`). Arguments are flat, read in
/// order with no JSON in Lua. Every key is passed in `KEYS` and referred to by its 1-based index:
///
/// ```
/// ARGV: mode (`EmitRoutine.Mode`: "publish" | "spublish" | "streams"),
///       on streams only: ack stream index | "", ack group, ack id,
///       expected version, trace retention seconds,
///       condition count, (key index, field, minimum)…,
///       then 1 + condition count outcomes, each: its length in arguments,
///       record expiry in milliseconds ("": none; set on final outcomes), set count, (field, value)…,
///       removed count, field…, change count, (op, key index, a, b)…, event count,
///       (channel index, trace log index, JSON)…
/// reply: {1, chosen fallback (0: none), new version} | {0, current fields as HGETALL | nil}
/// ```
struct CommitFunction {
    /// How the function emits events and acknowledges.
    enum Emission {
        case publish
        case streams(acknowledge: (stream: String, group: String, id: String)?)
    }

    static let library = RedisFunctionLibrary(
        name: "switchboard_bus",
        code: EmitRoutine.luaSource + commitSource + StreamTrimmer.functionSource + IdleConsumerPruner.functionSource
    )

    /// The commit itself; `start`, `trace` and `emit` are the `EmitRoutine`'s.
    private static let commitSource = #"""
        local function commit(keys, args)
            local mode, ack, group, id, at = args[1], '', nil, nil, 2
            if mode == 'streams' then ack, group, id, at = args[2], args[3], args[4], 5 end
            local expected, retention = tonumber(args[at]), args[at + 1]
            local version = tonumber(redis.call('HGET', keys[1], 'v') or '0')
            if version ~= expected then
                if version == 0 then return {0} end
                return {0, redis.call('HGETALL', keys[1])}
            end
            at = at + 2
            local chosen = 0
            for i = 1, tonumber(args[at]) do
                local index = at + 1 + (i - 1) * 3
                if chosen == 0 then
                    local value = tonumber(redis.call('HGET', keys[tonumber(args[index])], args[index + 1]) or '0') or 0
                    if value < tonumber(args[index + 2]) then chosen = i end
                end
            end
            at = at + 1 + tonumber(args[at]) * 3
            for _ = 1, chosen do at = at + 1 + tonumber(args[at]) end
            local expiry = args[at + 1]
            at = at + 2

            local fields, count = {keys[1], 'v', version + 1}, 3
            for _ = 1, tonumber(args[at]) do
                fields[count + 1], fields[count + 2] = args[at + 1], args[at + 2]
                count = count + 2
                at = at + 2
            end
            redis.call('HSET', unpack(fields))
            at = at + 1
            local removed = tonumber(args[at])
            if removed > 0 then redis.call('HDEL', keys[1], unpack(args, at + 1, at + removed)) end
            if expiry ~= '' then redis.call('PEXPIRE', keys[1], expiry) end
            at = at + removed + 1

            for _ = 1, tonumber(args[at]) do
                local op, key, a, b = args[at + 1], keys[tonumber(args[at + 2])], args[at + 3], args[at + 4]
                at = at + 4
                if op == 'increment' then
                    redis.call('HINCRBY', key, a, b)
                elseif op == 'prepend' then
                    if redis.call('LPUSH', key, a) > tonumber(b) then redis.call('LTRIM', key, 0, tonumber(b) - 1) end
                elseif op == 'delete' then
                    redis.call('DEL', key)
                elseif op == 'trace' then
                    start(key, a, retention)
                end
            end
            at = at + 1

            for _ = 1, tonumber(args[at]) do
                emit(mode, keys[tonumber(args[at + 1])], keys[tonumber(args[at + 2])], args[at + 3], retention)
                at = at + 3
            end
            if ack ~= '' then redis.call('XACK', keys[tonumber(ack)], group, id) end
            return {1, chosen, version + 1}
        end

        redis.register_function('switchboard_commit' .. version, commit)

        """#

    /// Runs `commit` on `client`; a final outcome's record expires after `finalRecordRetention`, a trace
    /// log `traceRetention` after its first entry. Events go to their channels or streams in `layout`: on a
    /// cluster, those of the partition `commit.key` is in (of each event's order for an untagged key), so
    /// `SPUBLISH` or `XADD` is in the record's slot.
    static func run(
        _ commit: Commit, emission: Emission, layout: ChannelLayout = .single, finalRecordRetention: Duration,
        traceRetention: Duration, on client: RedisClient
    ) async throws(EventBusError) -> CommitResult {
        let partition = layout.isPartitioned ? Partition(taggedKey: commit.key) : nil
        var keys = KeyTable(first: commit.key)
        var arguments = RedisArguments(capacity: 48, byteCapacity: 2_048)
        switch emission {
        case .publish:
            arguments.append(EmitRoutine.Mode(pubSubIn: layout).argument)
        case .streams(let acknowledge):
            arguments.append(EmitRoutine.Mode.streams.argument)
            if let acknowledge {
                arguments.append(keys.index(of: acknowledge.stream))
                arguments.append(acknowledge.group)
                arguments.append(acknowledge.id)
            } else {
                arguments.append(Word.none)
                arguments.append(Word.none)
                arguments.append(Word.none)
            }
        }
        arguments.append(commit.expectedVersion)
        arguments.append(Int(traceRetention.components.seconds))
        arguments.append(commit.conditions.count)
        for condition in commit.conditions {
            arguments.append(keys.index(of: condition.key))
            arguments.append(condition.field)
            arguments.append(condition.minimum)
        }
        for outcome in [commit.outcome] + commit.fallbacks {
            append(outcome, after: commit.expected, expiry: outcome.isFinal ? finalRecordRetention : nil,
                   to: &arguments, keys: &keys) { event in
                guard layout.isPartitioned else { return event.type }
                return layout.channel(of: event.type, in: partition ?? ChannelLayout.partition(of: event))
            }
        }
        let reply: RedisReply
        do {
            reply = try await client.call("switchboard_commit", in: library, keys: RedisArguments(keys.keys),
                                          arguments: arguments)
        } catch {
            throw EventBusError(error)
        }
        return try result(of: reply, key: commit.key)
    }

    /// Appends one outcome, preceded by its length in arguments so the function can skip it; each event goes
    /// to the channel or stream `channel` names for it.
    private static func append(
        _ outcome: Commit.Outcome, after expected: StoredRecord?, expiry: Duration?, to arguments: inout RedisArguments,
        keys: inout KeyTable, channel: (CloudEvent) -> String
    ) {
        let changed = StoredRecord(version: 0, fields: outcome.record).changes(from: expected)
        // What follows: the expiry and four counts, then each set field's name and value, each removed
        // field's name, four arguments per change and three per event.
        arguments.append(5 + 2 * changed.set.count + changed.removed.count + 4 * outcome.changes.count
                         + 3 * outcome.events.count)
        if let expiry { arguments.append(expiry.wholeMilliseconds) } else { arguments.append(Word.none) }
        arguments.append(changed.set.count)
        for field in changed.set {
            arguments.append(field.name)
            arguments.append(field.value)
        }
        arguments.append(changed.removed.count)
        for name in changed.removed { arguments.append(name) }
        arguments.append(outcome.changes.count)
        for change in outcome.changes {
            switch change {
            case .increment(let key, let field, let amount):
                arguments.append(Word.increment)
                arguments.append(keys.index(of: key))
                arguments.append(field)
                arguments.append(amount)
            case .prepend(let key, let value, let keep):
                arguments.append(Word.prepend)
                arguments.append(keys.index(of: key))
                arguments.append(value)
                arguments.append(keep)
            case .delete(let key):
                arguments.append(Word.delete)
                arguments.append(keys.index(of: key))
                arguments.append(Word.none)
                arguments.append(Word.none)
            case .trace(let event):
                arguments.append(Word.trace)
                arguments.append(keys.index(of: traceKey(of: event)))
                arguments.append(TraceLog.entry(for: event))
                arguments.append(Word.none)
            }
        }
        arguments.append(outcome.events.count)
        for event in outcome.events {
            arguments.append(keys.index(of: channel(event)))
            arguments.append(keys.index(of: traceKey(of: event)))
            arguments.append(event.encoded())
        }
    }

    private static func traceKey(of event: CloudEvent) -> String {
        TraceLog.key(for: event.correlationID ?? event.id)
    }

    private static func result(of reply: RedisReply, key: String) throws(EventBusError) -> CommitResult {
        guard let parts = reply.array, let applied = parts.first?.int else {
            throw EventBusError(.rejected, "\(library.name) answered \(reply), expected [applied, …]")
        }
        guard applied == 1 else {
            return .conflict(current: parts.count > 1 ? try StoredRecord(hash: parts[1], key: key) : nil)
        }
        guard parts.count == 3, let chosen = parts[1].int, let version = parts[2].int else {
            throw EventBusError(.rejected, "\(library.name) answered \(reply), expected [1, fallback, version]")
        }
        return .applied(fallback: chosen == 0 ? nil : chosen - 1, version: version)
    }

    /// The constant words of the argument list, as bytes made once rather than once per commit.
    private enum Word {
        static let none: [UInt8] = []
        static let increment = Array("increment".utf8)
        static let prepend = Array("prepend".utf8)
        static let delete = Array("delete".utf8)
        static let trace = Array("trace".utf8)
    }

    /// The keys of one commit, each once, numbered as Lua's 1-based `KEYS`.
    ///
    /// A commit names a handful of keys (its record, a stock item, event channels, a trace log), so a linear
    /// search beats hashing every key into a dictionary.
    private struct KeyTable {
        private(set) var keys: [String] = []

        init(first: String) {
            keys.reserveCapacity(6)
            keys.append(first)
        }

        mutating func index(of key: String) -> Int {
            if let index = keys.firstIndex(of: key) { return index + 1 }
            keys.append(key)
            return keys.count
        }
    }
}
