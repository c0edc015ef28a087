import EventBus
import RedisClient
import SagaEvents

/// The `StockCounters` on Redis: three Redis Functions of the library `switchboard_stock`, each touching only
/// keys of the `{stock}` slot (the counters `stock:{stock}:item:<sku>` and the answer
/// `stock:{stock}:answer:<orderId>`), so they run on a Redis Cluster as on one server.
///
/// The answer is a hash with `state` and `detail` (the units as `ItemsField` text, or the SKU short). A
/// `reserved` answer never expires, like the record of an order in flight; a final one (`rejected`,
/// `released`, `sold`, `cancelled`) expires after `retention`, which must be longer than the window in
/// which an order's events can still arrive (the final records' retention, plus a day by default).
public struct RedisStockCounters: StockCounters {
    static let library = RedisFunctionLibrary(name: "switchboard_stock", code: #"""
        -- The answer an order has: {state, detail}, or nil.
        local function stored(key)
            local answer = redis.call('HMGET', key, 'state', 'detail')
            if answer[1] then return {answer[1], answer[2] or ''} end
            return nil
        end

        local function answer(key, state, detail, expiry)
            redis.call('HSET', key, 'state', state, 'detail', detail)
            if expiry then redis.call('EXPIRE', key, expiry) end
            return {state, detail}
        end

        -- Moves the units of a reserved answer (`<quantity> <sku>` per line): `available` by `toAvailable`
        -- and `reserved` by -1 per unit. The counters share the answer's slot ({stock}).
        local function move(prefix, detail, toAvailable)
            for quantity, sku in string.gmatch(detail, '(%d+) ([^\n]+)') do
                local key = prefix .. sku
                if toAvailable ~= 0 then redis.call('HINCRBY', key, 'available', toAvailable * quantity) end
                redis.call('HINCRBY', key, 'reserved', -quantity)
            end
        end

        -- KEYS: the answer, then one counter hash per SKU. ARGV: final answers' expiry in seconds, the units
        -- (ItemsField text), then one quantity per counter, then one SKU per counter.
        local function reserve(keys, args)
            local known = stored(keys[1])
            if known then return known end
            local count = #keys - 1
            for i = 1, count do
                local available = tonumber(redis.call('HGET', keys[i + 1], 'available') or '0') or 0
                if available < tonumber(args[i + 2]) then
                    return answer(keys[1], 'rejected', args[i + 2 + count], args[1])
                end
            end
            for i = 1, count do
                redis.call('HINCRBY', keys[i + 1], 'available', -tonumber(args[i + 2]))
                redis.call('HINCRBY', keys[i + 1], 'reserved', tonumber(args[i + 2]))
            end
            return answer(keys[1], 'reserved', args[2], nil)
        end

        -- KEYS: the answer. ARGV: final answers' expiry in seconds, the counters' key prefix.
        local function release(keys, args)
            local known = stored(keys[1])
            if not known then return answer(keys[1], 'cancelled', '', args[1]) end
            if known[1] ~= 'reserved' then return known end
            move(args[2], known[2], 1)
            return answer(keys[1], 'released', known[2], args[1])
        end

        -- KEYS: the answer. ARGV: final answers' expiry in seconds, the counters' key prefix.
        local function sell(keys, args)
            local known = stored(keys[1])
            if not known then return {'unknown', ''} end
            if known[1] ~= 'reserved' then return known end
            move(args[2], known[2], 0)
            return answer(keys[1], 'sold', known[2], args[1])
        end

        redis.register_function('stock_reserve' .. version, reserve)
        redis.register_function('stock_release' .. version, release)
        redis.register_function('stock_sell' .. version, sell)
        """#)

    /// The library, for `switchboard acl load` and tests.
    public static var functionLibrary: RedisFunctionLibrary { library }


    private let client: RedisClient
    private let retention: Duration

    /// Creates the counters.
    /// - Parameters:
    ///   - client: a connection as the stock service's user.
    ///   - retention: how long a final answer is kept; longer than an order's events can still arrive.
    public init(client: RedisClient, retention: Duration = Commit.stepAnswerRetention()) {
        self.client = client
        self.retention = retention
    }

    public func reserve(orderID: String, items: [OrderItem]) async throws(EventBusError) -> StockAnswer {
        let keys = [StockKeys.answer(orderID)] + items.map { StockKeys.item($0.sku) }
        let arguments: [any RedisArgumentConvertible] = [expiry, ItemsField.text(items)]
            + items.map(\.quantity) + items.map(\.sku)
        return try await call("stock_reserve", keys: keys, arguments: arguments)
    }

    public func release(orderID: String) async throws(EventBusError) -> StockAnswer {
        try await call("stock_release", keys: [StockKeys.answer(orderID)], arguments: [expiry, StockKeys.item("")])
    }

    public func sell(orderID: String) async throws(EventBusError) -> StockAnswer {
        try await call("stock_sell", keys: [StockKeys.answer(orderID)], arguments: [expiry, StockKeys.item("")])
    }

    private var expiry: Int { Int(retention.components.seconds) }

    private func call(_ function: String, keys: [String], arguments: [any RedisArgumentConvertible])
        async throws(EventBusError) -> StockAnswer
    {
        let reply: RedisReply
        do {
            reply = try await client.call(function, in: Self.library, keys: keys, arguments: arguments)
        } catch {
            throw EventBusError(error.isTransient ? .unavailable : .rejected, error.message)
        }
        guard let fields = reply.array?.compactMap(\.string), fields.count == 2 else {
            throw EventBusError(.rejected, "\(function) answered \(reply), not {state, detail}")
        }
        do {
            return try StockAnswer(state: fields[0], detail: fields[1])
        } catch {
            throw EventBusError(.rejected, error.message)
        }
    }
}
