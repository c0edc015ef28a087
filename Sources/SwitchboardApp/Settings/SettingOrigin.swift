/// Where a setting's value came from, as `switchboard config` shows it.
public enum SettingOrigin: Sendable, Equatable, CustomStringConvertible {
    /// Compiled into the binary.
    case builtIn
    /// The settings file at this path.
    case file(String)
    /// This environment variable.
    case environment(String)
    /// This command-line flag.
    case flag(String)

    public var description: String {
        switch self {
        case .builtIn: "built-in"
        case .file(let path): "file \(path)"
        case .environment(let name): "environment \(name)"
        case .flag(let name): "flag \(name)"
        }
    }
}
