/// What the Sentinels of a `redis+sentinel://` URL and the primary they name say right now, for health
/// reports (`RedisClient.sentinelStatus()`).
public struct RedisSentinelStatus: Codable, Sendable, Equatable {
    /// The primary's address as the first Sentinel that answered names it, if one did.
    public var primary: String?
    /// Whether that server answered `ROLE` with `master`.
    public var roleConfirmed: Bool
    /// The replicas the primary reports (`ROLE`), as `host:port`.
    public var replicas: [String]
    /// The Sentinels that answered.
    public var sentinelsReachable: [String]
    /// The Sentinels that did not, each with why.
    public var sentinelsUnreachable: [String]

    /// Creates a status.
    public init(
        primary: String?, roleConfirmed: Bool, replicas: [String], sentinelsReachable: [String],
        sentinelsUnreachable: [String]
    ) {
        self.primary = primary
        self.roleConfirmed = roleConfirmed
        self.replicas = replicas
        self.sentinelsReachable = sentinelsReachable
        self.sentinelsUnreachable = sentinelsUnreachable
    }
}
