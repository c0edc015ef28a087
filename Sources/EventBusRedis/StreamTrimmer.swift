import RedisClient

/// Trims event streams to about a maximum length without ever dropping an entry that some consumer
/// group has not yet read or acknowledged.
///
/// `XADD … MAXLEN` would cut pending entries on Redis 7.0; instead, once a stream is over the limit,
/// the script finds, across its groups, the oldest entry still pending or not yet delivered, and trims
/// (`XTRIM MINID ~`) only what lies before it. A stream without groups is trimmed by length.
enum StreamTrimmer {
    static let script = RedisScript(name: "switchboard.trim", source: #"""
        local length = redis.call('XLEN', KEYS[1])
        if length <= tonumber(ARGV[1]) then return 0 end
        local ok, groups = pcall(redis.call, 'XINFO', 'GROUPS', KEYS[1])
        if not ok or #groups == 0 then
            return redis.call('XTRIM', KEYS[1], 'MAXLEN', '~', ARGV[1])
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
            local pending = redis.call('XPENDING', KEYS[1], info['name'])
            if pending[1] > 0 and less(pending[2], candidate) then candidate = pending[2] end
            if keep == nil or less(candidate, keep) then keep = candidate end
        end
        return redis.call('XTRIM', KEYS[1], 'MINID', '~', keep)
        """#)

    /// Trims each stream; returns how many entries went.
    static func trim(_ streams: [String], maximumLength: Int, on client: RedisClient) async throws(RedisError) -> Int {
        var removed = 0
        for stream in streams {
            removed += try await client.evaluate(script, keys: [stream], arguments: [maximumLength]).int ?? 0
        }
        return removed
    }
}
