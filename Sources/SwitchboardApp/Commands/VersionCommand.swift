/// `switchboard version`, `--version`: the version and the git commit the binary was built from.
enum VersionCommand {
    /// `switchboard 0.2.0 (commit 1a2b3c4d5e6f)`, or `(unknown commit)` for a plain `swift build`.
    static var line: String {
        "switchboard \(Switchboard.version) (\(Switchboard.commit.map { "commit \($0)" } ?? "unknown commit"))"
    }
}
