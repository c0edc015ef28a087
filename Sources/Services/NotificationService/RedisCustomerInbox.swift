import EventBus
import RedisClient

/// The `CustomerInbox` on Redis: the Redis Function `notification_deliver` (library `switchboard_notification`)
/// pushes a message to the customer's list and marks it delivered in one atomic step, on two keys that share
/// the customer's partition (`NotificationKeys.customer`, `NotificationKeys.delivered`), so it runs on a
/// Redis Cluster as on one server.
///
/// The list keeps the newest `keep` messages and does not expire; the marker of an order (one field per
/// template) expires after `retention`, longer than the window in which the order's events can still arrive.
public struct RedisCustomerInbox: CustomerInbox {
    static let library = RedisFunctionLibrary(name: "switchboard_notification", code: #"""
        -- KEYS: the customer's list, the order's marker hash. ARGV: template, message, messages kept, marker
        -- expiry in seconds. Reply: 1 when the message was added, 0 when the template was delivered before.
        local function deliver(keys, args)
            if redis.call('HSET', keys[2], args[1], '1') == 0 then return 0 end
            redis.call('EXPIRE', keys[2], args[4])
            local kept = tonumber(args[3])
            if redis.call('LPUSH', keys[1], args[2]) > kept then redis.call('LTRIM', keys[1], 0, kept - 1) end
            return 1
        end

        redis.register_function('notification_deliver' .. version, deliver)
        """#)

    /// The library, for `switchboard acl load` and tests.
    public static var functionLibrary: RedisFunctionLibrary { library }


    private let client: RedisClient
    private let keep: Int
    private let retention: Duration

    /// Creates the inbox.
    /// - Parameters:
    ///   - client: a connection as the notification service's user.
    ///   - keep: how many messages each customer's list keeps (at least 1).
    ///   - retention: how long an order's delivery marker is kept.
    public init(client: RedisClient, keep: Int = 100, retention: Duration = Commit.stepAnswerRetention()) {
        precondition(keep >= 1, "a customer's list keeps at least one message")
        self.client = client
        self.keep = keep
        self.retention = retention
    }

    public func deliver(_ message: String, to customerID: String, order orderID: String, template: String)
        async throws(EventBusError) -> Bool
    {
        let keys = [NotificationKeys.customer(customerID), NotificationKeys.delivered(customerID, order: orderID)]
        let reply: RedisReply
        do {
            reply = try await client.call("notification_deliver", in: Self.library, keys: keys,
                                          arguments: [template, message, keep, Int(retention.components.seconds)])
        } catch {
            throw EventBusError(error.isTransient ? .unavailable : .rejected, error.message)
        }
        guard let added = reply.int else {
            throw EventBusError(.rejected, "notification_deliver answered \(reply), not 0 or 1")
        }
        return added == 1
    }
}
