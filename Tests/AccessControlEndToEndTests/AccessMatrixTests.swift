import EventBusRedis
import NotificationService
import RedisClient
import SwitchboardApp
import TestSupport
import Testing

/// What each generated user may and may not do, tried for real against a locked-down server (and with
/// `ACL DRYRUN` for what cannot be tried on a command connection: `SUBSCRIBE`, `DEBUG`, the admin's
/// `FUNCTION LOAD`). The README's ACL matrix is this table.
@Suite(.serialized)
struct AccessMatrixTests {
    /// One attempt: who, what, and whether Redis must let it through.
    struct Attempt: CustomStringConvertible, Sendable {
        var user: String
        var command: [String]
        var allowed: Bool
        /// Checked with `ACL DRYRUN` as `test-root` instead of being run.
        var dryRun = false

        var description: String {
            "\(user): \(command.joined(separator: " ")) → \(allowed ? "allowed" : "refused")"
        }
    }

    /// The users of the services, as the production wiring names them (`AccessPolicy.services`).
    static let services = AccessPolicy.services.map(\.name)

    /// The bus function `function` as `FCALL` names it: with its library's version.
    static func bus(_ function: String) -> String {
        BusFunctionLibrary.library.registeredName(of: function)
    }

    /// A commit as the services send it (`FCALL switchboard_commit_<version>`): record, channel or stream,
    /// trace log; no condition, one outcome that sets the version and emits one event.
    static func commit(_ record: String, emitting channel: String, mode: String = "publish") -> [String] {
        ["FCALL", bus("switchboard_commit"), "3", record, channel, "switchboard:trace:t-1", mode]
            + (mode == "streams" ? ["", "", ""] : [])
            + ["0", "60", "0", "8", "", "0", "0", "0", "1", "2", "3", "{}"]
    }

    /// A commit that also deletes `key` (`Commit.Change.delete`), as payment's settling commit deletes the
    /// card's vault entry.
    static func commit(_ record: String, emitting channel: String, deleting key: String) -> [String] {
        ["FCALL", bus("switchboard_commit"), "4", record, channel, "switchboard:trace:t-1", key,
         "publish", "0", "60", "0", "11", "0", "0", "1", "delete", "4", "", "", "1", "2", "3", "{}"]
    }

    static let attempts: [Attempt] = {
        var attempts: [Attempt] = []
        func add(_ user: String, _ allowed: Bool, _ command: String..., dryRun: Bool = false) {
            attempts.append(Attempt(user: user, command: command, allowed: allowed, dryRun: dryRun))
        }
        func add(_ user: String, _ allowed: Bool, _ command: [String]) {
            attempts.append(Attempt(user: user, command: command, allowed: allowed))
        }
        // Nobody flushes, reconfigures, lists every key, debugs or evaluates code.
        for user in services + ["admin"] {
            add(user, false, "FLUSHALL")
            add(user, false, "FLUSHDB")
            add(user, false, "CONFIG", "GET", "maxmemory")
            add(user, false, "KEYS", "*")
            add(user, false, "EVAL", "return 1", "0")
            add(user, false, "DEBUG", "SLEEP", "0", dryRun: true)
        }
        for user in services {
            add(user, false, "FUNCTION", "LOAD", "REPLACE", "#!lua name=evil\nredis.register_function('f', function() end)")
            add(user, true, "XADD", "switchboard:deadletters", "*", "reason", "test")
            add(user, true, "SET", "switchboard:instance:\(user):i-1", "{}")
            add(user, false, "SET", "switchboard:instance:\(user == "order" ? "stock" : "order"):i-1", "{}")
        }
        // payment: its records and payment.*, reads what it consumes, emits nothing else.
        add("payment", true, "HSET", "payment:t-1", "status", "x")
        add("payment", true, "PUBLISH", "payment.completed", "{}")
        add("payment", true, "XADD", "payment.completed", "*", "event", "{}")
        add("payment", false, "PUBLISH", "order.confirmed", "{}")
        add("payment", false, "XADD", "order.confirmed", "*", "event", "{}")
        add("payment", false, "XADD", "order.created", "*", "event", "{}")
        add("payment", false, "HSET", "stock:{stock}:item:BOOK-1", "available", "1000")
        add("payment", false, "HGETALL", "stock:{stock}:item:BOOK-1")
        add("payment", false, "HSET", "order:t-1", "status", "confirmed")
        add("payment", true, "XGROUP", "CREATE", "order.created", "payment", "0", "MKSTREAM")
        add("payment", true, "XREADGROUP", "GROUP", "payment", "c-1", "COUNT", "1", "STREAMS", "order.created", ">")
        add("payment", true, "SUBSCRIBE", "order.created", dryRun: true)
        add("payment", false, "SUBSCRIBE", "order.confirmed", dryRun: true)
        add("payment", true, commit("payment:t-2", emitting: "payment.completed"))
        add("payment", true, commit("payment:t-3", emitting: "payment.failed", mode: "streams"))
        add("payment", false, commit("payment:t-4", emitting: "order.confirmed"))
        add("payment", false, commit("payment:t-5", emitting: "order.confirmed", mode: "streams"))
        // Allowed as a key of the commit (it acknowledges there) but not as the target of its PUBLISH or XADD.
        add("payment", false, commit("payment:t-6", emitting: "order.created"))
        add("payment", false, commit("payment:t-7", emitting: "order.created", mode: "streams"))
        add("payment", false, commit("stock:reservation:t-1", emitting: "payment.completed"))
        // Trimming (FCALL switchboard_trim): the streams it emits or consumes, no other.
        add("payment", true, "FCALL", bus("switchboard_trim"), "1", "payment.completed", "100")
        add("payment", true, "FCALL", bus("switchboard_trim"), "1", "order.created", "100")
        add("payment", false, "FCALL", bus("switchboard_trim"), "1", "order.confirmed", "100")
        // ingress: only order.created, its own keys; reads orders, stock, trace logs.
        add("ingress", true, "PUBLISH", "order.created", "{}")
        add("ingress", true, "SET", "ingress:order:t-1", "{}")
        add("ingress", true, "HGETALL", "order:t-1")
        // The card vault: the ingress writes it and cannot read it back; only payment reads (and deletes) it.
        add("ingress", true, "SET", "vault:card:tok_t", "4242424242424242", "EX", "60")
        add("ingress", false, "GET", "vault:card:tok_t")
        add("payment", true, "GET", "vault:card:tok_t")
        add("payment", true, commit("payment:t-8", emitting: "payment.completed", deleting: "vault:card:tok_t"))
        for user in ["order", "stock", "notification"] {
            add(user, false, "GET", "vault:card:tok_t")
        }
        add("ingress", true, "HMGET", "stock:{stock}:item:BOOK-1", "available")
        add("ingress", true, "XRANGE", "switchboard:trace:t-1", "-", "+")
        add("ingress", false, "PUBLISH", "payment.completed", "{}")
        add("ingress", false, "XADD", "payment.completed", "*", "event", "{}")
        add("ingress", false, "XADD", "order.confirmed", "*", "event", "{}")
        add("ingress", false, "HSET", "order:t-1", "status", "confirmed")
        add("ingress", false, "HINCRBY", "stock:{stock}:item:BOOK-1", "available", "5")
        add("ingress", false, "SUBSCRIBE", "payment.completed", dryRun: true)
        add("ingress", true, "SUBSCRIBE", "order.confirmed", dryRun: true)
        // order, stock, notification: their own records and events only.
        add("order", true, "HSET", "order:t-1", "status", "confirmed")
        add("order", true, "PUBLISH", "order.confirmed", "{}")
        add("order", false, "PUBLISH", "payment.completed", "{}")
        add("order", false, "PUBLISH", "order.created", "{}")
        add("order", false, "HSET", "payment:t-1", "status", "x")
        add("stock", true, "HINCRBY", "stock:{stock}:item:BOOK-1", "available", "0")
        add("stock", true, "PUBLISH", "stock.reserved", "{}")
        add("stock", false, "PUBLISH", "payment.completed", "{}")
        add("stock", false, "HSET", "order:t-1", "status", "confirmed")
        add("notification", true, "LPUSH", NotificationKeys.customer("c-1"), "hello")
        add("notification", true, "PUBLISH", "notification.sent", "{}")
        add("notification", false, "PUBLISH", "order.cancelled", "{}")
        add("notification", false, "HSET", "order:t-1", "status", "cancelled")
        // admin: the operator's tasks (dead letters, replay, loading functions), nothing destructive.
        add("admin", true, "XRANGE", "switchboard:deadletters", "-", "+")
        add("admin", true, "PUBLISH", "order.confirmed", "{}")
        add("admin", true, "FUNCTION", "LOAD", "REPLACE", "#!lua name=switchboard_test\nredis.register_function('f', function() end)", dryRun: true)
        add("admin", false, "FUNCTION", "FLUSH", dryRun: true)
        add("admin", false, "ACL", "SETUSER", "intruder", "on", dryRun: true)
        return attempts
    }()

    @Test func everyUserCanDoWhatItMustAndNothingElse() async throws {
        try await LockedDownBroker.with { broker in
            let root = broker.client("test-root")
            for attempt in Self.attempts {
                let refusal: String?
                if attempt.dryRun {
                    let reply = try await root.send(RedisCommand(
                        "ACL", ["DRYRUN", "switchboard-\(attempt.user)"] + attempt.command))
                    refusal = reply == .simpleString("OK") ? nil : "\(reply)"
                } else {
                    refusal = await Self.refusal(of: attempt.command, by: broker.client(attempt.user))
                }
                #expect((refusal == nil) == attempt.allowed, "\(attempt): \(refusal ?? "went through")")
            }
        }
    }

    @Test func theDefaultUserIsOff() async throws {
        try await LockedDownBroker.with { broker in
            var anonymous = broker.redis.url
            anonymous.password = nil
            let client = RedisClient(url: anonymous, configuration: RedisConfiguration(), logger: .disabled)
            await #expect(throws: RedisError.self) { try await client.send("PING") }
            var wrong = broker.redis.url
            wrong.username = "switchboard-payment"
            wrong.password = "not-the-password"
            let impostor = RedisClient(url: wrong, configuration: RedisConfiguration(), logger: .disabled)
            await #expect(throws: RedisError.self) { try await impostor.send("PING") }
        }
    }

    /// The ACL refusal Redis answered, or nil when the command was let through (it may still have failed
    /// for another reason, e.g. `BUSYGROUP`).
    static func refusal(of command: [String], by client: RedisClient) async -> String? {
        do {
            _ = try await client.send(RedisCommand(command[0], Array(command.dropFirst())))
            return nil
        } catch {
            let message = error.message
            // Refused at the door: NOPERM; refused inside a function: "The user executing the script can't …".
            return message.contains("NOPERM") || message.contains("user executing the script can't") ? message : nil
        }
    }
}
