import Foundation

/// What a `switchboard` process started by a test reads: a settings file of the test's own and none of the
/// caller's `SWITCHBOARD_*` or `REDIS_URL` variables, so neither a developer's environment nor the
/// repository's `Config/switchboard.json` changes what a test sees.
public enum TestSettings {
    /// The test process's environment without `SWITCHBOARD_*` and `REDIS_URL`, with `extra` added.
    public static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        ProcessInfo.processInfo.environment
            .filter { name, _ in !name.hasPrefix("SWITCHBOARD_") && name != "REDIS_URL" }
            .merging(extra) { _, new in new }
    }

    /// Writes `folder/switchboard.json`: the repository's catalog, then `members` (JSON object members,
    /// e.g. `"shutdownGraceSeconds": 5`); every other setting is its built-in default.
    /// - Returns: the file's path, for `--config`.
    @discardableResult
    public static func write(in folder: String, _ members: String = "") throws -> String {
        let path = folder + "/switchboard.json"
        let catalog = #""catalog": "\#(Repository.path("Config/catalog.json"))""#
        try "{\(members.isEmpty ? catalog : catalog + ", " + members)}"
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
