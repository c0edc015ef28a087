/// The flags every command takes; each overrides the config file and the environment.
public struct GlobalFlags: Sendable, Equatable {
    /// `--config PATH`: the settings file.
    public var configPath: String?
    /// `--redis URL`: the Redis server.
    public var redisURL: String?
    /// `--transport NAME`: `pubsub`.
    public var transport: String?
    /// `--http-port N`: the ingress port.
    public var httpPort: String?
    /// `--instance NAME`: this process's name within its services' groups.
    public var instance: String?
    /// `--log-level LEVEL`: the lowest level logged.
    public var logLevel: String?

    /// No flags given.
    public init() {}
}
