import RedisClient
import Telemetry

/// Removes consumers that left a consumer group: instances get generated names (`<host>-<pid>`), so each
/// restart adds a consumer that would otherwise stay in the group for ever.
///
/// A consumer is removed only when it has nothing pending and has been idle (no read, claim or
/// acknowledgement) for longer than a threshold; the check and `XGROUP DELCONSUMER` happen in one Redis
/// Function, so no entry can become pending with it in between (deleting a consumer drops its pending
/// entries, which would then never be claimed again). A crashed instance's entries are claimed by the
/// others after `claimIdle`, so its consumer is removed once the threshold has passed after that. A live
/// instance that had nothing to read for that long may lose its consumer too (Redis 7.0 counts a blocked
/// read without entries as idle); with nothing pending that loses nothing, and its next read creates it again.
enum IdleConsumerPruner {
    /// The Lua of `switchboard_prune_consumers`, a function of the library `switchboard_bus`:
    /// `KEYS[1]` the stream, `ARGV` the group, the idle threshold in milliseconds, and the calling consumer,
    /// which is never removed. Returns how many consumers went.
    static let functionSource = #"""

        local function prune_consumers(keys, args)
            local ok, consumers = pcall(redis.call, 'XINFO', 'CONSUMERS', keys[1], args[1])
            if not ok then return 0 end
            local threshold, removed = tonumber(args[2]), 0
            for _, consumer in ipairs(consumers) do
                local info = {}
                for i = 1, #consumer, 2 do info[consumer[i]] = consumer[i + 1] end
                if info['name'] ~= args[3] and info['pending'] == 0 and info['idle'] > threshold then
                    redis.call('XGROUP', 'DELCONSUMER', keys[1], args[1], info['name'])
                    removed = removed + 1
                end
            end
            return removed
        end

        redis.register_function('switchboard_prune_consumers' .. version, prune_consumers)
        """#

    /// Removes `group`'s consumers of each stream (one pipeline, e.g. of every partition stream on a
    /// cluster) idle for longer than `idle` with nothing pending, except `consumer`; returns how many went.
    static func prune(
        _ streams: [String], group: String, except consumer: String, idle: Duration, on client: RedisClient
    ) async throws(RedisError) -> Int {
        try await client.callBusFunction(
            "switchboard_prune_consumers", forEach: streams,
            arguments: [Array(group.utf8), idle.wholeMilliseconds.redisArgument, Array(consumer.utf8)]
        ).reduce(0) { $0 + ($1.int ?? 0) }
    }
}
