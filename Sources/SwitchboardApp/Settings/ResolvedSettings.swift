/// Settings together with where each came from: the settings file read, if any, and each value's origin.
public struct ResolvedSettings: Sendable, Equatable {
    /// The effective settings.
    public var settings = Settings()
    /// The settings file that was read; nil when none was found and only the built-in defaults apply.
    public var file: String?
    /// The origin of every setting that is not built-in, by its key in the settings file (e.g. `redis.url`).
    public var origins: [String: SettingOrigin] = [:]

    /// Nothing resolved yet: the built-in defaults.
    public init() {}

    /// Where the setting with this key (as in the settings file, e.g. `http.port`) came from.
    public func origin(of key: String) -> SettingOrigin {
        origins[key] ?? .builtIn
    }

    /// Sets one setting when a value is given, remembering where it came from.
    mutating func set<Value>(
        _ key: String, _ keyPath: WritableKeyPath<Settings, Value>, to value: Value?, from origin: SettingOrigin
    ) {
        guard let value else { return }
        settings[keyPath: keyPath] = value
        origins[key] = origin
    }
}
