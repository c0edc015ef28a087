#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a running service instance says about itself, refreshed in the broker with a short TTL.
public struct InstanceHeartbeat: Codable, Sendable, Equatable {
    /// The service, e.g. `stock`.
    public var service: String
    /// The instance's name, unique per process.
    public var instance: String
    /// The host it runs on.
    public var host: String
    /// Its process id.
    public var pid: Int
    /// When it started (RFC 3339, UTC).
    public var startedAt: String
    /// Switchboard's version.
    public var version: String
    /// The transport it uses.
    public var transport: String
    /// State worth reporting, e.g. `["breaker": "open"]`.
    public var details: [String: String]?

    public init(
        service: String, instance: String, host: String, pid: Int, startedAt: String, version: String,
        transport: String
    ) {
        self.service = service
        self.instance = instance
        self.host = host
        self.pid = pid
        self.startedAt = startedAt
        self.version = version
        self.transport = transport
    }

    /// The key prefix of heartbeats: `switchboard:instance:<service>:<instance>`.
    public static let keyPrefix = "switchboard:instance:"

    /// This heartbeat's key.
    public var key: String { "\(Self.keyPrefix)\(service):\(instance)" }

    /// Seconds a heartbeat lives without being refreshed.
    public static let timeToLiveSeconds = 10
}
