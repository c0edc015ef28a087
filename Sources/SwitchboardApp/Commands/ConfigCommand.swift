/// `switchboard config`: the effective settings, one per line with where each came from, secrets masked.
struct ConfigCommand {
    let resolved: ResolvedSettings

    /// The report: which settings file was read, then `key  value  origin` for every setting.
    func render() -> String {
        let file = "settings file: " + (resolved.file ?? "none found, built-in defaults")
        let entries = resolved.settings.entries
        let keyWidth = entries.map(\.key.count).max() ?? 0
        let valueWidth = entries.map(\.value.count).max() ?? 0
        let lines = entries.map { entry in
            entry.key.padding(to: keyWidth) + "  " + entry.value.padding(to: valueWidth) + "  "
                + resolved.origin(of: entry.key).description
        }
        return ([file] + lines).joined(separator: "\n")
    }
}
