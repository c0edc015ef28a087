import Foundation
@testable import SwitchboardApp
import Testing

@Suite("Settings file lookup and switchboard config")
struct SettingsLookupTests {
    /// A temporary folder with settings files, removed by `remove()`.
    private struct Folder {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-\(UUID())").path

        init() throws {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }

        /// Writes a settings file whose `http.port` tells which one was read.
        func settings(_ name: String, port: Int, catalog: String? = nil) throws -> String {
            let file = "\(path)/\(name)"
            let catalogMember = catalog.map { #", "catalog": "\#($0)""# } ?? ""
            try #"{"http": {"port": \#(port)}\#(catalogMember)}"#.write(toFile: file, atomically: true, encoding: .utf8)
            return file
        }

        func remove() { try? FileManager.default.removeItem(atPath: path) }
    }

    @Test("the settings file is --config, else $SWITCHBOARD_CONFIG, else the first search path that exists")
    func lookupOrder() throws {
        let folder = try Folder()
        defer { folder.remove() }
        let flagged = try folder.settings("flag.json", port: 1001)
        let environment = try folder.settings("environment.json", port: 1002)
        let local = try folder.settings("local.json", port: 1003)
        let system = try folder.settings("system.json", port: 1004)
        let searchPaths = ["\(folder.path)/absent.json", local, system]
        var flags = GlobalFlags()
        flags.configPath = flagged
        func port(_ environment: [String: String], _ flags: GlobalFlags, _ paths: [String]) throws -> Int {
            try SettingsLoader(environment: environment, searchPaths: paths).load(flags: flags).httpPort
        }
        #expect(try port(["SWITCHBOARD_CONFIG": environment], flags, searchPaths) == 1001)
        #expect(try port(["SWITCHBOARD_CONFIG": environment], GlobalFlags(), searchPaths) == 1002)
        #expect(try port([:], GlobalFlags(), searchPaths) == 1003)
        #expect(try port([:], GlobalFlags(), Array(searchPaths.dropFirst(2))) == 1004)

        let none = try SettingsLoader(environment: [:], searchPaths: ["\(folder.path)/absent.json"])
            .resolve(flags: GlobalFlags())
        #expect(none.file == nil)
        #expect(none.settings == Settings())
        #expect(none.settings.catalogPath == nil, "no settings file: the built-in catalog")
    }

    @Test("a named settings file must exist, a searched one need not")
    func namedFileMustExist() {
        #expect(throws: CommandFailure.self) {
            try SettingsLoader(environment: ["SWITCHBOARD_CONFIG": "/nonexistent/switchboard.json"], searchPaths: [])
                .load(flags: GlobalFlags())
        }
        #expect(throws: Never.self) {
            try SettingsLoader(environment: [:], searchPaths: ["/nonexistent/switchboard.json"])
                .load(flags: GlobalFlags())
        }
    }

    @Test("a relative catalog is read from the settings file's folder, an absolute one as it is")
    func catalogPath() throws {
        let folder = try Folder()
        defer { folder.remove() }
        let relative = try folder.settings("relative.json", port: 1, catalog: "products/catalog.json")
        let absolute = try folder.settings("absolute.json", port: 1, catalog: "/srv/catalog.json")
        let loader = SettingsLoader(environment: [:], searchPaths: [relative])
        #expect(try loader.load(flags: GlobalFlags()).catalogPath == "\(folder.path)/products/catalog.json")
        var flags = GlobalFlags()
        flags.configPath = absolute
        #expect(try loader.load(flags: flags).catalogPath == "/srv/catalog.json")
    }

    @Test("switchboard config names the file and each value's origin, and masks the Redis password")
    func configReport() throws {
        let folder = try Folder()
        defer { folder.remove() }
        let file = try folder.settings("switchboard.json", port: 9000)
        var flags = GlobalFlags()
        flags.logLevel = "debug"
        let environment = ["REDIS_URL": "redis://plain@h:1", "SWITCHBOARD_REDIS_URL": "redis://ops:s3cret@h:2/1",
                           "SWITCHBOARD_TRANSPORT": "streams"]
        let resolved = try SettingsLoader(environment: environment, searchPaths: [file]).resolve(flags: flags)
        let lines = ConfigCommand(resolved: resolved).render().split(separator: "\n").map {
            $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        }
        #expect(lines.first == "settings file: \(file)")
        #expect(lines.contains("redis.url redis://ops:****@h:2/1 environment SWITCHBOARD_REDIS_URL"))
        #expect(lines.contains("transport streams environment SWITCHBOARD_TRANSPORT"))
        #expect(lines.contains("http.port 9000 file \(file)"))
        #expect(lines.contains("log.level debug flag --log-level"))
        #expect(lines.contains("shutdownGraceSeconds 5 built-in"))
        #expect(!lines.joined().contains("s3cret"))
    }

    @Test("passwords are masked in every URL form", arguments: [
        ("redis://user:pw@host:6379/2", "redis://user:****@host:6379/2"),
        ("redis://:pw@host", "redis://:****@host"),
        ("redis://pw@host", "redis://****@host"),
        ("redis://host:6379", "redis://host:6379"),
        ("unix:///run/redis.sock?db=1", "unix:///run/redis.sock?db=1"),
    ])
    func masking(_ url: String, _ masked: String) {
        #expect(Settings.masked(url) == masked)
    }
}
