/// The Redis Sentinels that watch a primary, and the name they know it by: the part of a
/// `redis+sentinel://` URL that says where to ask for the primary.
public struct RedisSentinels: Sendable, Hashable, CustomStringConvertible {
    /// One Sentinel's address.
    public struct Address: Sendable, Hashable, CustomStringConvertible {
        /// The host name or IP address.
        public var host: String
        /// The TCP port.
        public var port: Int

        /// Creates an address.
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// The default port of Redis Sentinel.
    public static let defaultPort = 26379

    /// The Sentinels, asked in this order.
    public var addresses: [Address]
    /// The name the Sentinels monitor the primary by (`sentinel monitor <name> …`).
    public var primaryName: String
    /// The Sentinels' own password (`requirepass` in their configuration), if any; not part of the URL.
    public var password: String?

    /// Creates a Sentinel group.
    /// - Parameters:
    ///   - addresses: the Sentinels, at least one.
    ///   - primaryName: the name they monitor the primary by.
    ///   - password: the Sentinels' own password, if any.
    public init(addresses: [Address], primaryName: String, password: String? = nil) {
        self.addresses = addresses
        self.primaryName = primaryName
        self.password = password
    }

    /// The Sentinels and the primary's name, as the URL writes them: `host1:26379,host2:26379/name`.
    public var description: String {
        addresses.map(\.description).joined(separator: ",") + "/" + primaryName
    }
}
