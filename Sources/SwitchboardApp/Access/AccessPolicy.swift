import EventBus
import EventBusRedis
import NotificationService
import OrderService
import PaymentService
import RedisClient
import SagaEvents
import StockService
import Telemetry

/// Who may do what on Redis: one ACL user per service and one for the admin tasks, each allowed only
/// what that part of the system does (see the README's "Least privilege on the broker").
///
/// A service user's rules have three parts, because a Redis ACL selector grants its commands on all of
/// its keys and channels at once:
/// - the root rules: its own records, emitting its own event types (`PUBLISH`, `XADD`; `SPUBLISH` on their
///   partition channels `order.created{p07}` on a Redis Cluster, see `ChannelLayout`), the trace logs,
///   dead letters, its heartbeats and the metrics snapshots;
/// - a selector for consuming: only the stream-group and subscribe commands on the types it handles, so
///   it can read and acknowledge `order.created` but never add to it;
/// - a selector for `FCALL` alone with every key a commit or trim declares (the ingress's accept too); the
///   commands the function runs are checked one by one against the parts above, so the ingress's accept may
///   `SET` a card vault entry (its root rules grant `%W~vault:card:*`) but nothing lets the ingress read one.
/// No user may `FLUSHALL`, `CONFIG`, `KEYS`, `DEBUG`, `EVAL`, or `FUNCTION LOAD` (an admin loads the
/// libraries: `switchboard acl --load`).
public struct AccessPolicy: Sendable {
    /// What one user may touch.
    public struct Role: Sendable, Equatable {
        /// The service (or `admin`), as in `redis.users.<name>`.
        public var name: String
        /// The event types it consumes.
        public var consumes: [String]
        /// The event types it emits.
        public var emits: [String]
        /// The key patterns it owns (reads and writes).
        public var ownKeys: [String]
        /// Key patterns it only reads.
        public var readKeys: [String] = []
        /// Key patterns it only writes (`%W~`), e.g. the ingress's card vault entries, which it may not read.
        public var writeKeys: [String] = []
    }

    /// The service roles, in the order of `ServiceFactory.serviceNames`; what each consumes is its service's
    /// `subscriptions`, what the ingress consumes the final events it waits for.
    public static let services: [Role] = [
        Role(name: "order", consumes: OrderService.subscriptions,
             emits: [EventTypes.orderConfirmed, EventTypes.orderCancelled], ownKeys: ["order:*"]),
        Role(name: "stock", consumes: StockService.subscriptions,
             emits: [EventTypes.stockReserved, EventTypes.stockRejected, EventTypes.stockReleased],
             ownKeys: ["stock:*"]),
        Role(name: "payment", consumes: PaymentService.subscriptions,
             emits: [EventTypes.paymentCompleted, EventTypes.paymentFailed],
             ownKeys: ["payment:*", CardVault.keyPrefix + "*"]),
        Role(name: "notification", consumes: NotificationService.subscriptions,
             emits: [EventTypes.notificationSent], ownKeys: ["notification:*"]),
        Role(name: "ingress", consumes: [EventTypes.orderConfirmed, EventTypes.orderCancelled],
             emits: [EventTypes.orderCreated], ownKeys: ["ingress:*"],
             readKeys: ["order:*", StockKeys.item("*"), InstanceHeartbeat.keyPrefix + "*",
                        MetricsSnapshot.keyPrefix + "*", TraceLog.keyPrefix + "*"],
             writeKeys: [CardVault.keyPrefix + "*"]),
    ]

    /// The names `redis.users` accepts: every service and `admin`.
    public static let userNames = services.map(\.name) + ["admin"]

    /// The ACL user of `name` when the settings name none: `switchboard-<name>`.
    public static func defaultUser(for name: String) -> String { "switchboard-\(name)" }

    /// Commands every service user needs on its connections.
    private static let connectionCommands = ["+ping", "+select", "+unsubscribe", "+sunsubscribe"]
    /// Commands on a service's own records and the shared keys, run directly or by the bus functions.
    private static let recordCommands = [
        "+hget", "+hgetall", "+hmget", "+hset", "+hdel", "+hincrby", "+lpush", "+ltrim", "+get", "+set", "+del",
        "+expire", "+pexpire", "+xadd", "+publish", "+spublish", "+xlen", "+xinfo|groups", "+xpending", "+xtrim",
    ]
    /// Commands of a stream consumer group and a pub/sub subscriber, on the types consumed.
    private static let consumerCommands = [
        "+subscribe", "+ssubscribe", "+xreadgroup", "+xack", "+xautoclaim", "+xpending", "+xgroup|create", "+xinfo|groups", "+xlen",
        "+xtrim", "+xinfo|consumers", "+xgroup|delconsumer",
    ]
    /// What the ingress reads: orders, stock levels, heartbeats, metrics, trace logs, the outcome events.
    private static let ingressReadCommands = [
        "+hgetall", "+hmget", "+get", "+mget", "+scan", "+xrange", "+xread", "+subscribe", "+ssubscribe",
    ]
    /// The admin user: everything but the dangerous commands (`FLUSHALL`, `CONFIG`, `KEYS`, `DEBUG`, …)
    /// and dropping functions.
    static let adminRules = "~* &* +@all -@dangerous -flushall -flushdb -function|flush -function|delete -eval -evalsha"

    /// The settings the rules are made for.
    public let settings: Settings

    /// Creates the policy of `settings` (their `redis.users` name the users).
    public init(settings: Settings) {
        self.settings = settings
    }

    /// The ACL user name of `name` (a service or `admin`).
    public func user(for name: String) -> String {
        settings.redisUsers[name]?.user ?? Self.defaultUser(for: name)
    }

    /// The rules of a service or `admin`, after `user <name> on <password>` in an ACL file or
    /// `ACL SETUSER <name> on <password>`.
    public func rules(for name: String) -> String {
        guard let role = Self.services.first(where: { $0.name == name }) else { return Self.adminRules }
        let shared = [TraceLog.keyPrefix + "*", RedisDeadLetterStore.defaultKey,
                      "\(InstanceHeartbeat.keyPrefix)\(role.name):*", MetricsSnapshot.keyPrefix + "*"]
        // Each event type's channels in both layouts: `order.created`, and `order.created{p*}` on a cluster.
        let emits = role.emits.flatMap(ChannelLayout.patterns(of:))
        let consumes = role.consumes.flatMap(ChannelLayout.patterns(of:))
        let keys = (role.ownKeys + emits + shared).map { "~\($0)" }
        var parts = ["resetkeys", "resetchannels", "-@all"] + Self.connectionCommands + Self.recordCommands + keys
            + role.writeKeys.map { "%W~\($0)" } + emits.map { "&\($0)" }
        if role.name == "ingress" {
            parts.append("+pubsub|numsub")
            parts.append("+pubsub|shardnumsub")
            parts.append(Self.selector(Self.ingressReadCommands + (role.readKeys + consumes).map { "%R~\($0)" }
                + consumes.map { "&\($0)" }))
            // FCALL declares its keys read-write: the vault's, which the root rules only let it write, here.
            parts.append(Self.selector(["+fcall"] + (role.ownKeys + emits + [TraceLog.keyPrefix + "*"]
                + role.writeKeys).map { "~\($0)" }))
        } else {
            parts.append(Self.selector(Self.consumerCommands + consumes.map { "~\($0)" } + consumes.map { "&\($0)" }))
            let traces = TraceLog.keyPrefix + "*"
            parts.append(Self.selector(["+fcall"] + (role.ownKeys + emits + consumes + [traces]).map { "~\($0)" }))
        }
        return parts.joined(separator: " ")
    }

    /// How to load the ACL file into a redis-server (an ACL file cannot hold comments).
    public static let setUp = """
        Set-up: save the rules as e.g. /etc/redis/users.acl, add `aclfile /etc/redis/users.acl` to redis.conf,
        run `redis-cli ACL LOAD` (or restart redis-server), then `switchboard acl load` to load the function
        libraries as the admin user. Service users cannot FUNCTION LOAD, EVAL or FLUSHALL.
        """

    /// The ACL file: `user default off`, then one `user` line per service and the admin, each with its
    /// password as a SHA-256 hash (`#…`) read from `redis.users`; a user without a configured password
    /// gets none and cannot log in until one is set.
    /// - Parameter environment: the process environment, where passwords may be.
    /// - Returns: the file, and a note for each user without a password.
    /// - Throws: `CommandFailure` (78) when a configured password cannot be read.
    public func aclFile(environment: [String: String]) throws(CommandFailure) -> (rules: String, notes: [String]) {
        var lines = ["user default off resetkeys resetchannels -@all"]
        var notes: [String] = []
        for name in Self.userNames {
            var password = "resetpass"
            if let credential = settings.redisUsers[name] {
                let secret = try credential.resolvePassword(environment: environment)
                password += " " + ACLPassword.hashed(secret)
            } else {
                notes.append("\(user(for: name)) has no password: configure redis.users.\(name) before use")
            }
            lines.append("user \(user(for: name)) on \(password) \(rules(for: name))")
        }
        return (lines.joined(separator: "\n"), notes)
    }

    private static func selector(_ parts: [String]) -> String {
        "(" + parts.joined(separator: " ") + ")"
    }
}
