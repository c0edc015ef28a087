import RedisClient
import Resilience
import SagaEvents

/// The simulated provider's ledger in Redis, under its own keys, as a real provider's would live on its
/// side: it survives payment processes, their restarts and a Redis restart with persistence, and is
/// shared by every payment instance.
///
/// Keys, all with the hash tag `{provider}`, so a Function that touches an answer and a stream is in one
/// Redis Cluster slot (the provider's store is one shard of its own; a real provider scales elsewhere):
/// - `provider:{provider}:answer:<idempotencyKey>`: a hash with the first answer to that key (`verdict` `approved`
///   or `declined`, `detail` the payment id or the decline reason) and the request it answered
///   (`cardLast4`, `amount`, `currency`); it expires after `retention` (24 hours by default, as real
///   APIs keep keys), after which the key could charge again.
/// - `provider:{provider}:charges`: a stream with one entry per charge actually made (`key`, `paymentId`, `amount`,
///   `currency`), trimmed to about `capacity` entries. Declines are answers but not charges: they are
///   not in it.
/// - `provider:{provider}:refunds`: a stream with one entry per charge refunded by `void` (same fields).
///
/// The ledger stands for the provider's own store, which our Redis going away for a moment should not
/// take down: a call that could not reach Redis, or found it loading its data, is retried with backoff
/// until it goes through (or the caller gives up and cancels), which is safe because both functions are
/// idempotent for a key.
///
/// An answer is written by one Redis Function (`provider_answer`, library `switchboard_provider`), so two
/// requests with one key, from any number of processes at once, make at most one charge. `void`
/// (`provider_void`) turns an approval into `refunded` (once, with its refund entry) and a key without
/// an answer into `voided`; later requests with such a key are declined (`provider_unavailable`).
public struct RedisChargeLedger: ChargeLedger {
    /// The stream of every charge made.
    public static let chargesKey = "provider:{provider}:charges"
    /// The stream of every charge refunded.
    public static let refundsKey = "provider:{provider}:refunds"

    /// The hash holding the first answer to an idempotency key.
    public static func answerKey(_ idempotencyKey: String) -> String { "provider:{provider}:answer:\(idempotencyKey)" }

    static let library = RedisFunctionLibrary(name: "switchboard_provider", code: #"""
        -- KEYS: answer hash, charges stream. ARGV: idempotency key, card's last 4 digits, amount, currency,
        -- verdict, detail, retention seconds, charges capacity. Reply: {verdict, detail} of the first answer.
        local function answer(keys, args)
            local first = redis.call('HMGET', keys[1], 'verdict', 'detail', 'cardLast4', 'amount', 'currency')
            if first[1] == 'refunded' or first[1] == 'voided' then
                return {'declined', 'provider_unavailable'}
            end
            if first[1] then
                if first[3] ~= args[2] or first[4] ~= args[3] or first[5] ~= args[4] then
                    return redis.error_reply('IDEMPOTENCY the key ' .. args[1] .. ' was first used for card *'
                        .. first[3] .. ', ' .. first[4] .. ' ' .. first[5])
                end
                return {first[1], first[2]}
            end
            redis.call('HSET', keys[1], 'verdict', args[5], 'detail', args[6], 'cardLast4', args[2],
                'amount', args[3], 'currency', args[4])
            redis.call('EXPIRE', keys[1], args[7])
            if args[5] == 'approved' then
                redis.call('XADD', keys[2], 'MAXLEN', '~', args[8], '*', 'key', args[1], 'paymentId', args[6],
                    'amount', args[3], 'currency', args[4])
            end
            return {args[5], args[6]}
        end

        -- KEYS: answer hash, refunds stream. ARGV: idempotency key, retention seconds, charges capacity.
        local function void(keys, args)
            local first = redis.call('HMGET', keys[1], 'verdict', 'detail', 'amount', 'currency')
            if first[1] == 'approved' then
                redis.call('HSET', keys[1], 'verdict', 'refunded')
                redis.call('XADD', keys[2], 'MAXLEN', '~', args[3], '*', 'key', args[1], 'paymentId', first[2],
                    'amount', first[3], 'currency', first[4])
            elseif not first[1] then
                redis.call('HSET', keys[1], 'verdict', 'voided', 'detail', '')
                redis.call('EXPIRE', keys[1], args[2])
            end
            return first[1] or 'none'
        end

        redis.register_function('provider_answer' .. version, answer)
        redis.register_function('provider_void' .. version, void)
        """#)

    private let client: RedisClient
    private let retention: Duration
    private let capacity: Int

    /// Creates the ledger.
    /// - Parameters:
    ///   - client: the Redis the ledger lives in.
    ///   - retention: how long an idempotency key is remembered.
    ///   - capacity: about how many charges `provider:{provider}:charges` keeps.
    public init(client: RedisClient, retention: Duration = .seconds(86_400), capacity: Int = 1_000_000) {
        self.client = client
        self.retention = retention
        self.capacity = capacity
    }

    public func void(idempotencyKey: String) async throws(PaymentProviderError) {
        _ = try await call("provider_void", keys: [Self.answerKey(idempotencyKey), Self.refundsKey],
                           arguments: [idempotencyKey, Int(retention.components.seconds), capacity])
    }

    public func answer(_ request: ChargeRequest, verdict: ChargeResult) async throws(PaymentProviderError)
        -> ChargeResult
    {
        let (name, detail) = switch verdict {
        case .approved(let paymentID): ("approved", paymentID)
        case .declined(let reason): ("declined", reason.rawValue)
        }
        let reply = try await call(
            "provider_answer", keys: [Self.answerKey(request.idempotencyKey), Self.chargesKey],
            arguments: [request.idempotencyKey, String(request.card.suffix(4)), request.amount, request.currency,
                        name, detail, Int(retention.components.seconds), capacity]
        )
        guard let fields = reply.array?.compactMap(\.string), fields.count == 2 else {
            throw PaymentProviderError("the simulated provider's ledger answered \(reply), not {verdict, detail}")
        }
        switch fields[0] {
        case "approved":
            return .approved(paymentID: fields[1])
        default:
            guard let reason = PaymentFailure(rawValue: fields[1]) else {
                throw PaymentProviderError("the simulated provider's ledger holds an unknown decline \(fields[1])")
            }
            return .declined(reason)
        }
    }

    /// Calls a function of the library, retrying with backoff while Redis cannot be reached or is not ready.
    private func call(_ function: String, keys: [any RedisArgumentConvertible],
                      arguments: [any RedisArgumentConvertible]) async throws(PaymentProviderError) -> RedisReply {
        var backoff = Backoff(initial: .milliseconds(20), maximum: .seconds(1))
        while true {
            do {
                return try await client.call(function, in: Self.library, keys: keys, arguments: arguments)
            } catch {
                guard !Task.isCancelled, error.isTransient else {
                    throw PaymentProviderError("the simulated provider's ledger failed: \(error.message)")
                }
                try? await Task.sleep(for: backoff.next())
            }
        }
    }
}
