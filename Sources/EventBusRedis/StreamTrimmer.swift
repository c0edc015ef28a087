import RedisClient

/// Trims event streams to about a maximum length without ever dropping an entry that some consumer
/// group has not yet read or acknowledged.
///
/// `XADD … MAXLEN` would cut pending entries on Redis 7.0; instead, once a stream is over the limit,
/// the function finds, across its groups, the oldest entry still pending or not yet delivered, and trims
/// (`XTRIM MINID ~`) only what lies before it. A stream without groups is trimmed by length.
enum StreamTrimmer {
    /// The Lua of `switchboard_trim`, a function of the library `switchboard_bus` (`CommitFunction.library`):
    /// a function rather than a script, so service users run it with `FCALL` and need no `EVAL`.
    static let functionSource = #"""
        local function trim(keys, args)
            local length = redis.call('XLEN', keys[1])
            if length <= tonumber(args[1]) then return 0 end
            local ok, groups = pcall(redis.call, 'XINFO', 'GROUPS', keys[1])
            if not ok or #groups == 0 then
                return redis.call('XTRIM', keys[1], 'MAXLEN', '~', args[1])
            end
            local function parse(id)
                local ms, seq = string.match(id, '^(%d+)-(%d+)$')
                return tonumber(ms), tonumber(seq)
            end
            local function less(a, b)
                local am, as = parse(a)
                local bm, bs = parse(b)
                return am < bm or (am == bm and as < bs)
            end
            local keep = nil
            for _, group in ipairs(groups) do
                local info = {}
                for i = 1, #group, 2 do info[group[i]] = group[i + 1] end
                local lm, ls = parse(info['last-delivered-id'])
                local candidate = string.format('%d-%d', lm, ls + 1)
                local pending = redis.call('XPENDING', keys[1], info['name'])
                if pending[1] > 0 and less(pending[2], candidate) then candidate = pending[2] end
                if keep == nil or less(candidate, keep) then keep = candidate end
            end
            return redis.call('XTRIM', keys[1], 'MINID', '~', keep)
        end

        redis.register_function('switchboard_trim' .. version, trim)
        """#

    /// Trims each stream (one pipeline, e.g. of every partition stream on a cluster); returns how many
    /// entries went.
    static func trim(_ streams: [String], maximumLength: Int, on client: RedisClient) async throws(RedisError) -> Int {
        try await client.callBusFunction("switchboard_trim", forEach: streams, arguments: [maximumLength.redisArgument])
            .reduce(0) { $0 + ($1.int ?? 0) }
    }
}
