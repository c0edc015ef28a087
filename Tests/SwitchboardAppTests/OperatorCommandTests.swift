import Foundation
@testable import SwitchboardApp
import Testing

/// `version`, `config`, systemd's `run SERVICE-TAG`, and the help, man page and bash completion agreeing.
@Suite("Operator commands")
struct OperatorCommandTests {
    @Test("--version and version print the version; config and version take no arguments")
    func versionAndConfig() throws {
        #expect(try CommandLineArguments(parsing: ["--version"]).command == .version)
        #expect(try CommandLineArguments(parsing: ["version"]).command == .version)
        #expect(try CommandLineArguments(parsing: ["config", "--redis", "redis://h"]).command == .config)
        for arguments in [["version", "x"], ["config", "x"]] {
            #expect(throws: CommandFailure.self) { try CommandLineArguments(parsing: arguments) }
        }
        #expect(VersionCommand.line.hasPrefix("switchboard \(Switchboard.version) ("))
        // A plain `swift build` (as `swift test` does) is not stamped: the commit is unknown.
        #expect(Switchboard.commit == nil)
        #expect(VersionCommand.line == "switchboard \(Switchboard.version) (unknown commit)")
    }

    @Test("run SERVICE-TAG, as switchboard@stock-2 passes it, runs SERVICE")
    func taggedServices() {
        #expect(RunCommand.service(named: "stock") == "stock")
        #expect(RunCommand.service(named: "stock-2") == "stock")
        #expect(RunCommand.service(named: "notification-eu-1") == "notification")
    }

    @Test("the help, the man page and bash completion name every command and flag")
    func documentation() throws {
        let packaging = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("packaging")
        let manual = try String(contentsOf: packaging.appendingPathComponent("switchboard.1"), encoding: .utf8)
            .replacingOccurrences(of: "\\-", with: "-")
        let completion = try String(
            contentsOf: packaging.appendingPathComponent("switchboard.bash-completion"), encoding: .utf8
        )
        let commands = ["run", "publish", "tail", "trace", "dlq", "bench", "health", "config", "acl", "version", "help"]
        let flags = ["--config", "--redis", "--transport", "--instance", "--http-port", "--log-level"]
        for word in commands + flags {
            #expect(CommandLineArguments.usage.contains(word), "usage lacks \(word)")
            #expect(manual.contains(word), "the man page lacks \(word)")
            #expect(completion.contains(word), "bash completion lacks \(word)")
        }
        for service in ServiceFactory.serviceNames {
            #expect(completion.contains(service), "bash completion lacks the service \(service)")
        }
        #expect(manual.contains(#""switchboard \#(Switchboard.version)""#), "the man page names another version")
        // The order SettingsLoader applies them in (the help once said the file overrides the environment).
        let precedence = "later ones winning: built-in defaults, the settings file, environment variables, flags"
        #expect(CommandLineArguments.usage.contains(precedence))
        #expect(manual.replacingOccurrences(of: "\n", with: " ").contains("later ones winning: the built-in defaults, "
            + "the settings file, environment variables, flags"))
    }
}
