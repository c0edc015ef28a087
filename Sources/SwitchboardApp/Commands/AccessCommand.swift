import EventBusRedis
import Ingress
import NotificationService
import StockService

/// `switchboard acl load`: loads the Redis Function libraries the services call, as the admin user, since
/// service users may not `FUNCTION LOAD` (see `AccessPolicy`). Run it after `ACL LOAD` and after a
/// `FUNCTION FLUSH`, and with each new release (libraries are named with a version drawn from their code,
/// `RedisFunctionLibrary`); loaded libraries survive restarts in the RDB and AOF files.
struct AccessCommand {
    /// The libraries the services and the ingress call.
    static let libraries = [BusFunctionLibrary.library, RedisIngressStore.library, RedisStockCounters.functionLibrary,
                            RedisCustomerInbox.functionLibrary]

    let application: Application

    /// Loads every library (`FUNCTION LOAD REPLACE`); returns one line per library.
    /// - Throws: `CommandFailure`: 69 when Redis is unreachable, 78 when it refuses (the user lacks the right).
    func loadLibraries() async throws(CommandFailure) -> String {
        let client = application.makeRedisClient(logger: .disabled)
        var lines: [String] = []
        for library in Self.libraries {
            do {
                _ = try await client.send("FUNCTION", "LOAD", "REPLACE", library.source)
            } catch where error.code == .server {
                throw CommandFailure(.configuration, "loading \(library.name) as Redis user "
                    + "\(application.redisURL.username ?? "default"): \(error.message) (is redis.users.admin configured?)")
            } catch {
                throw CommandFailure(.unavailable, error.message)
            }
            lines.append("loaded \(library.name)")
        }
        return lines.joined(separator: "\n")
    }
}
