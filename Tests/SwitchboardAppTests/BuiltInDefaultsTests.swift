import Foundation
@testable import SwitchboardApp
import Testing

/// The defaults compiled into the binary and the files in `Config/` say the same, so neither can drift.
@Suite("Built-in defaults")
struct BuiltInDefaultsTests {
    private static func repositoryFile(_ relative: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(relative).path
    }

    @Test("the built-in catalog is Config/catalog.json word for word")
    func catalog() throws {
        let file = try String(contentsOfFile: Self.repositoryFile("Config/catalog.json"), encoding: .utf8)
        #expect(BuiltInCatalog.json == file)
    }

    @Test("Config/switchboard.json sets every setting, each to its built-in default")
    func settings() throws {
        let path = Self.repositoryFile("Config/switchboard.json")
        var flags = GlobalFlags()
        flags.configPath = path
        let resolved = try SettingsLoader(environment: [:]).resolve(flags: flags)
        var expected = Settings()
        expected.catalogPath = Self.repositoryFile("Config/catalog.json")
        #expect(resolved.settings == expected)
        let notFromFile = resolved.settings.entries.map(\.key).filter { resolved.origin(of: $0) != .file(path) }
        #expect(notFromFile == ["instance"], "the file should set every setting but the per-process instance")
    }
}
