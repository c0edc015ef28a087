import Foundation
@testable import SwitchboardApp
import Testing

@Suite("Settings and command line")
struct SettingsPrecedenceTests {
    private func configFile(_ json: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-\(UUID()).json").path
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("file < environment < flags, with SWITCHBOARD_REDIS_URL before REDIS_URL")
    func precedence() throws {
        let path = try configFile(#"{"redis":{"url":"redis://file:1"},"transport":"streams","http":{"port":9000}}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var flags = GlobalFlags()
        flags.configPath = path
        let fileOnly = try SettingsLoader(environment: [:]).load(flags: flags)
        #expect(fileOnly.redisURL == "redis://file:1")
        #expect(fileOnly.transport == .streams)
        #expect(fileOnly.httpPort == 9000)
        let environment = ["REDIS_URL": "redis://plain:2", "SWITCHBOARD_REDIS_URL": "redis://env:3",
                           "SWITCHBOARD_HTTP_PORT": "9100"]
        let withEnvironment = try SettingsLoader(environment: environment).load(flags: flags)
        #expect(withEnvironment.redisURL == "redis://env:3")
        #expect(withEnvironment.httpPort == 9100)
        #expect(try SettingsLoader(environment: ["REDIS_URL": "redis://plain:2"]).load(flags: flags).redisURL
            == "redis://plain:2")
        flags.redisURL = "redis://flag:4"
        flags.httpPort = "9200"
        flags.transport = "pubsub"
        let withFlags = try SettingsLoader(environment: environment).load(flags: flags)
        #expect(withFlags.redisURL == "redis://flag:4")
        #expect(withFlags.httpPort == 9200)
        #expect(withFlags.transport == .pubsub)
    }

    @Test("http.port takes 0 to 65535; 0 asks the system for any free port (the ingress logs the one it got)")
    func portRange() throws {
        var flags = GlobalFlags()
        for port in [0, 1, 65535] {
            let path = try configFile(#"{"http":{"port":\#(port)}}"#)
            defer { try? FileManager.default.removeItem(atPath: path) }
            flags.configPath = path
            #expect(try SettingsLoader(environment: [:]).load(flags: flags).httpPort == port)
        }
        for text in ["-1", "65536", "80a"] {
            flags.httpPort = text
            #expect(throws: CommandFailure.self) { try SettingsLoader(environment: [:]).load(flags: flags) }
        }
    }

    @Test("bad settings fail with exit code 78 naming where they came from", arguments: [
        (#"{"transport":"kafka"}"#, [String: String](), "kafka"),
        (#"{"http":{"port":70000}}"#, [:], "http.port"),
        (#"{"log":{"level":"loud"}}"#, [:], "log.level"),
        ("{not json", [:], "not valid JSON"),
        ("{}", ["SWITCHBOARD_PAYMENT_FAILURE_RATE": "2"], "SWITCHBOARD_PAYMENT_FAILURE_RATE"),
    ])
    func badSettings(_ json: String, _ environment: [String: String], _ mentions: String) throws {
        let path = try configFile(json)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var flags = GlobalFlags()
        flags.configPath = path
        #expect {
            _ = try SettingsLoader(environment: environment).load(flags: flags)
        } throws: { error in
            guard let failure = error as? CommandFailure else { return false }
            return failure.exitCode == .configuration && failure.message.contains(mentions)
        }
    }

    @Test("a --config that does not exist fails; no file at the default paths is fine: the built-in defaults")
    func missingConfig() throws {
        var flags = GlobalFlags()
        flags.configPath = "/nonexistent/switchboard.json"
        #expect(throws: CommandFailure.self) { try SettingsLoader(environment: [:]).load(flags: flags) }
        // The default paths as seen from a folder without a Config/ (the tests run where one exists).
        let absent = SettingsLoader.defaultSearchPaths.map { "/nonexistent/\($0)" }
        let defaults = try SettingsLoader(environment: [:], searchPaths: absent).load(flags: GlobalFlags())
        #expect(defaults == Settings())
    }

    @Test("commands and flags parse wherever the flags stand")
    func commandLine() throws {
        let run = try CommandLineArguments(parsing: ["run", "stock", "--redis", "redis://h", "payment", "--instance=s-2"])
        #expect(run.command == .run(services: ["stock", "payment"]))
        #expect(run.flags.redisURL == "redis://h")
        #expect(run.flags.instance == "s-2")
        #expect(try CommandLineArguments(parsing: ["tail"]).command == .tail(pattern: "*"))
        #expect(try CommandLineArguments(parsing: ["dlq", "replay", "1-0", "2-0"]).command
            == .deadLetterReplay(ids: ["1-0", "2-0"]))
        #expect(try CommandLineArguments(parsing: ["bench", "--mode", "http"]).command == .bench(options: ["--mode": "http"]))
    }

    @Test("usage errors exit 64", arguments: [
        ["frobnicate"], [], ["publish", "order.created"], ["run", "--redis"], ["tail", "--nope", "x"], ["dlq"],
        ["trace"], ["run", "--mode", "http"],
    ])
    func usageErrors(_ arguments: [String]) {
        #expect {
            _ = try CommandLineArguments(parsing: arguments)
        } throws: { error in
            (error as? CommandFailure)?.exitCode == .usage
        }
    }
}
