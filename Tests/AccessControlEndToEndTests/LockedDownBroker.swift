import Foundation
import RedisClient
import TestSupport
import Testing

/// A private redis-server locked down with the rules `switchboard acl` prints (the default user off), the
/// function libraries loaded by `switchboard acl load` as the admin user, and a settings file giving each
/// service and the admin its user and password.
///
/// Besides the generated users, the ACL file gets one test-only superuser, `test-root`, through which the
/// test inspects the server and asks `ACL DRYRUN`; switchboard itself never uses it.
final class LockedDownBroker: Sendable {
    /// Each user's password, as the settings read them: from a file for the admin, else the environment.
    static let passwords = [
        "order": "order-secret", "stock": "stock-secret", "payment": "payment-secret",
        "notification": "notification-secret", "ingress": "ingress-secret", "admin": "admin-secret",
    ]
    static let rootPassword = "root-secret"

    let redis: RedisServer
    /// The folder of the settings and the ACL file.
    let directory: String
    /// The settings file naming every user.
    let configPath: String
    /// What `switchboard acl` printed.
    let rules: String

    /// The environment that carries the service users' passwords.
    static var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for (name, password) in passwords where name != "admin" {
            environment["SWITCHBOARD_TEST_PASSWORD_\(name.uppercased())"] = password
        }
        return environment
    }

    private init(redis: RedisServer, directory: String, configPath: String, rules: String) {
        self.redis = redis
        self.directory = directory
        self.configPath = configPath
        self.rules = rules
    }

    /// Starts the server, generates and loads the rules, loads the libraries.
    static func start() async throws -> LockedDownBroker {
        let directory = try makeScratch()
        let aclPath = directory + "/users.acl"
        // Open at first, so the server's readiness probe (the default user's PING) passes.
        try "user default on nopass ~* &* +@all\n".write(toFile: aclPath, atomically: true, encoding: .utf8)
        let redis = try await RedisServer.start(RedisServer.Options(listener: .tcp, extraArguments: ["--aclfile", aclPath]))
        do {
            let configPath = directory + "/switchboard.json"
            try writeSettings(to: configPath, redis: redis, directory: directory)
            let acl = try await ChildProcess.run(Executable.switchboard, ["acl", "--config", configPath],
                                                 environment: environment)
            try #require(acl.exitCode == 0, "\(acl)")
            let rootUser = "user test-root on >\(rootPassword) ~* &* +@all"
            try (acl.standardOutput + "\n" + rootUser + "\n").write(toFile: aclPath, atomically: true, encoding: .utf8)
            _ = try await redis.cli("ACL", "LOAD")
            let broker = LockedDownBroker(redis: redis, directory: directory, configPath: configPath, rules: acl.standardOutput)
            let load = try await broker.switchboard(["acl", "load"])
            try #require(load.exitCode == 0, "\(load)")
            return broker
        } catch {
            redis.shutDown()
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    /// Starts a broker, runs `body` with it, and always stops it and removes its folders.
    static func with(_ body: (LockedDownBroker) async throws -> Void) async throws {
        let broker = try await start()
        defer { broker.shutDown() }
        try await body(broker)
    }

    /// Stops the server and removes its folders.
    func shutDown() {
        redis.shutDown()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs `switchboard` to its end with the locked-down settings.
    func switchboard(_ arguments: [String]) async throws -> ChildProcess.Result {
        try await ChildProcess.run(Executable.switchboard, arguments + ["--config", configPath],
                                   environment: Self.environment)
    }

    /// A client logged in as the user of `name` (a service, `admin`, or `test-root`).
    func client(_ name: String) -> RedisClient {
        var url = redis.url
        if name == "test-root" {
            url.username = name
            url.password = Self.rootPassword
        } else {
            url.username = "switchboard-\(name)"
            url.password = Self.passwords[name]
        }
        return RedisClient(url: url, configuration: RedisConfiguration(connectTimeout: .seconds(2)), logger: .disabled)
    }

    /// The settings: the server, the repository's catalog, and a `redis.users` entry for every user.
    private static func writeSettings(to path: String, redis: RedisServer, directory: String) throws {
        let adminFile = directory + "/admin.password"
        try (passwords["admin"]! + "\n").write(toFile: adminFile, atomically: true, encoding: .utf8)
        var users: [String: [String: String]] = ["admin": ["passwordFile": adminFile]]
        for name in passwords.keys where name != "admin" {
            users[name] = ["passwordEnv": "SWITCHBOARD_TEST_PASSWORD_\(name.uppercased())"]
        }
        let settings: [String: Any] = [
            "redis": ["url": redis.urlString, "users": users],
            "catalog": Repository.path("Config/catalog.json"),
        ]
        try JSONSerialization.data(withJSONObject: settings).write(to: URL(fileURLWithPath: path))
    }

    private static func makeScratch() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-acl-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
