import Foundation
import RedisClient
@testable import SwitchboardApp
import Testing

@Suite("Per-service Redis users")
struct RedisUsersTests {
    private func loaded(_ json: String) throws(CommandFailure) -> ResolvedSettings {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-\(UUID()).json").path
        try? json.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var flags = GlobalFlags()
        flags.configPath = path
        return try SettingsLoader(environment: [:], searchPaths: []).resolve(flags: flags)
    }

    @Test("redis.users names each user and where its password is; config prints that, never the password")
    func parsedAndMasked() throws {
        let secretFile = FileManager.default.temporaryDirectory.appendingPathComponent("pw-\(UUID())").path
        try "s3cret-from-file\n".write(toFile: secretFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: secretFile) }
        let resolved = try loaded("""
            {"redis":{"users":{"payment":{"passwordEnv":"PAYMENT_PW"},
                               "admin":{"user":"ops","passwordFile":"\(secretFile)"}}}}
            """)
        let users = resolved.settings.redisUsers
        #expect(users["payment"] == RedisCredential(user: "switchboard-payment", password: .environment("PAYMENT_PW")))
        #expect(users["admin"] == RedisCredential(user: "ops", password: .file(secretFile)))
        let rendered = ConfigCommand(resolved: resolved).render()
        #expect(rendered.contains("redis.users.payment"))
        #expect(rendered.contains("user switchboard-payment, password from environment PAYMENT_PW"))
        #expect(!rendered.contains("s3cret"))

        let application = try Application(settings: resolved.settings, environment: ["PAYMENT_PW": "s3cret-env"])
        #expect(application.redisURL(for: "payment").username == "switchboard-payment")
        #expect(application.redisURL(for: "payment").password == "s3cret-env")
        // The admin tasks log in as the admin; a service without an entry uses the same URL.
        #expect(application.redisURL.username == "ops")
        #expect(application.redisURL.password == "s3cret-from-file")
        #expect(application.redisURL(for: "order") == application.redisURL)
        #expect(!"\(application.redisURL(for: "payment"))".contains("s3cret"))
    }

    @Test("a bad redis.users entry is refused with what to fix", arguments: [
        (#"{"redis":{"users":{"billing":{"passwordEnv":"X"}}}}"#, "unknown name"),
        (#"{"redis":{"users":{"payment":{}}}}"#, "exactly one of passwordFile and passwordEnv"),
        (#"{"redis":{"users":{"payment":{"passwordEnv":"X","passwordFile":"/x"}}}}"#, "exactly one of"),
        (#"{"redis":{"users":{"payment":{"user":"a b","passwordEnv":"X"}}}}"#, "without spaces"),
    ])
    func refused(json: String, reason: String) {
        #expect {
            _ = try loaded(json)
        } throws: { error in
            (error as? CommandFailure)?.message.contains(reason) == true
        }
    }

    @Test("a password that cannot be read stops the process at start, naming the user and the source")
    func unreadablePassword() throws {
        var settings = Settings()
        settings.redisUsers["stock"] = RedisCredential(user: "switchboard-stock", password: .environment("NOT_SET_PW"))
        #expect {
            _ = try Application(settings: settings, environment: [:])
        } throws: { error in
            (error as? CommandFailure)?.message == "the password of Redis user switchboard-stock: $NOT_SET_PW is not set"
        }
        settings.redisUsers["stock"] = RedisCredential(user: "switchboard-stock", password: .file("/nonexistent/pw"))
        #expect(throws: CommandFailure.self) { _ = try Application(settings: settings, environment: [:]) }
    }

    @Test("the ACL file hashes each configured password with SHA-256 and turns the default user off")
    func aclFile() throws {
        var settings = Settings()
        settings.redisUsers["payment"] = RedisCredential(user: "pay", password: .environment("PW"))
        let file = try AccessPolicy(settings: settings).aclFile(environment: ["PW": "abc"])
        let lines = file.rules.split(separator: "\n")
        #expect(lines.first == "user default off resetkeys resetchannels -@all")
        // SHA-256("abc"), FIPS 180-4's first example.
        #expect(lines.contains { $0.hasPrefix("user pay on resetpass #ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad ") })
        #expect(!file.rules.contains("abc "))
        #expect(lines.count == 1 + AccessPolicy.userNames.count)
        #expect(file.notes.count == AccessPolicy.userNames.count - 1)
        #expect(ACLPassword.hashed("") == "#e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        // FIPS 180-4's two-block example (the padding spills into a second block).
        #expect(ACLPassword.hashed("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
            == "#248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }
}
