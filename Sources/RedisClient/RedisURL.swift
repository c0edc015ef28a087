/// Where a Redis server is and how to log in: `redis://[[user]:password@]host[:port][/db]`,
/// `unix:///path/to.sock[?db=N]`, or, for a primary watched by Redis Sentinel,
/// `redis+sentinel://[[user]:password@]host1[:26379][,host2[:26379]…]/primary-name[?db=N]`, whose user and
/// password are the primary's (the Sentinels' own password is `RedisSentinels.password`), or, for a Redis
/// Cluster, `redis+cluster://[[user]:password@]host1[:6379][,host2[:6379]…]`: seed nodes, any of the cluster,
/// that the topology is asked from (a cluster has only database 0).
public struct RedisURL: Sendable, Equatable, CustomStringConvertible {
    /// How to reach the server.
    public enum Endpoint: Sendable, Equatable, CustomStringConvertible {
        case tcp(host: String, port: Int)
        case unix(path: String)
        /// The primary that these Sentinels name, found when connecting and again after every failover.
        case sentinel(RedisSentinels)
        /// A Redis Cluster, found from these seed nodes; commands go to the node serving their key's slot.
        case cluster(seeds: [Address])

        public var description: String {
            switch self {
            case .tcp(let host, let port): Address(host: host, port: port).description
            case .unix(let path): path
            case .sentinel(let sentinels): sentinels.description
            case .cluster(let seeds): seeds.map(\.description).joined(separator: ",")
            }
        }
    }

    /// A server's host and port: a Sentinel, or a node of a cluster.
    public typealias Address = RedisSentinels.Address

    /// The default port of Redis.
    public static let defaultPort = 6379

    /// How to reach the server.
    public var endpoint: Endpoint
    /// The ACL user for `AUTH`, if any.
    public var username: String?
    /// The password for `AUTH`, if any.
    public var password: String?
    /// The database for `SELECT`; 0 is Redis's default.
    public var database: Int

    /// Creates a URL from its parts.
    public init(endpoint: Endpoint, username: String? = nil, password: String? = nil, database: Int = 0) {
        self.endpoint = endpoint
        self.username = username
        self.password = password
        self.database = database
    }

    /// Parses a URL string.
    /// - Throws: `RedisError` with code `.invalidURL` naming what is wrong.
    public init(_ string: String) throws(RedisError) {
        func invalid(_ why: String) -> RedisError {
            RedisError(.invalidURL, "invalid Redis URL '\(string)': \(why)")
        }
        if string.hasPrefix("unix://") {
            var rest = Substring(string.dropFirst("unix://".count))
            let database = try Self.databaseParameter(of: &rest, invalid: invalid)
            guard rest.hasPrefix("/"), rest.count > 1 else {
                throw invalid("a unix socket URL needs an absolute path, e.g. unix:///run/redis.sock")
            }
            self.init(endpoint: .unix(path: Self.percentDecoded(String(rest))), database: database)
            return
        }
        let isSentinel = string.hasPrefix("redis+sentinel://")
        let isCluster = string.hasPrefix("redis+cluster://")
        guard isSentinel || isCluster || string.hasPrefix("redis://") else {
            throw invalid("it must start with redis://, redis+sentinel://, redis+cluster:// or unix://")
        }
        var rest = Substring(string.drop { $0 != "/" }.dropFirst(2))
        var username: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                let user = credentials[..<colon]
                username = user.isEmpty ? nil : Self.percentDecoded(String(user))
                password = Self.percentDecoded(String(credentials[credentials.index(after: colon)...]))
            } else if !credentials.isEmpty {
                // `redis://secret@host`: a lone credential is the password, as redis-cli reads it.
                password = Self.percentDecoded(String(credentials))
            }
        }
        if isSentinel {
            let database = try Self.databaseParameter(of: &rest, invalid: invalid)
            guard let slash = rest.firstIndex(of: "/"), rest.index(after: slash) < rest.endIndex else {
                throw invalid("the primary's name is missing, e.g. redis+sentinel://host1:26379,host2:26379/mymaster")
            }
            let name = Self.percentDecoded(String(rest[rest.index(after: slash)...]))
            guard !name.contains("/") else {
                throw invalid("the primary's name '\(name)' holds a '/'; a database is chosen with ?db=N")
            }
            let addresses = try Self.addresses(
                rest[..<slash], defaultPort: RedisSentinels.defaultPort, invalid: invalid
            )
            self.init(endpoint: .sentinel(RedisSentinels(addresses: addresses, primaryName: name)),
                      username: username, password: password, database: database)
            return
        }
        if isCluster {
            if rest.hasSuffix("/") { rest = rest.dropLast() }
            guard !rest.contains("/"), !rest.contains("?") else {
                throw invalid("""
                    a cluster has only database 0: write the seed nodes alone, e.g. redis+cluster://h1:7000,h2:7001
                    """)
            }
            let seeds = try Self.addresses(rest, defaultPort: Self.defaultPort, invalid: invalid)
            self.init(endpoint: .cluster(seeds: seeds), username: username, password: password)
            return
        }
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
            if !path.isEmpty {
                guard let number = Int(path), number >= 0 else {
                    throw invalid("the database '\(path)' must be a number ≥ 0")
                }
                database = number
            }
        }
        let (host, port) = try Self.address(rest, defaultPort: Self.defaultPort, invalid: invalid)
        self.init(endpoint: .tcp(host: host, port: port), username: username, password: password, database: database)
    }

    /// The Sentinels of a `redis+sentinel://` URL, `nil` for other URLs.
    public var sentinels: RedisSentinels? {
        get {
            if case .sentinel(let sentinels) = endpoint { return sentinels }
            return nil
        }
        set {
            if let newValue { endpoint = .sentinel(newValue) }
        }
    }

    /// The seed nodes of a `redis+cluster://` URL, `nil` for other URLs.
    public var clusterSeeds: [Address]? {
        if case .cluster(let seeds) = endpoint { return seeds }
        return nil
    }

    /// The same login and database on another server: the primary a Sentinel named, or a Sentinel itself.
    func with(endpoint: Endpoint) -> RedisURL {
        RedisURL(endpoint: endpoint, username: username, password: password, database: database)
    }

    /// Takes `?db=N` off the end of `rest`.
    private static func databaseParameter(
        of rest: inout Substring, invalid: (String) -> RedisError
    ) throws(RedisError) -> Int {
        guard let query = rest.firstIndex(of: "?") else { return 0 }
        let parameters = rest[rest.index(after: query)...]
        rest = rest[..<query]
        var database = 0
        for parameter in parameters.split(separator: "&") {
            let pair = parameter.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2, pair[0] == "db" else { throw invalid("unknown parameter '\(parameter)'") }
            guard let number = Int(pair[1]), number >= 0 else { throw invalid("db must be a number ≥ 0") }
            database = number
        }
        return database
    }

    /// `host[:port],host[:port]…`, at least one.
    private static func addresses(
        _ text: Substring, defaultPort: Int, invalid: (String) -> RedisError
    ) throws(RedisError) -> [Address] {
        try text.split(separator: ",", omittingEmptySubsequences: false).map { (text) throws(RedisError) -> Address in
            let (host, port) = try Self.address(text, defaultPort: defaultPort, invalid: invalid)
            return Address(host: host, port: port)
        }
    }

    /// `host[:port]` or `[ipv6][:port]`.
    private static func address(
        _ text: Substring, defaultPort: Int, invalid: (String) -> RedisError
    ) throws(RedisError) -> (host: String, port: Int) {
        var host: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw invalid("unclosed '[' in an IPv6 host") }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw invalid("unexpected '\(after)' after the IPv6 host") }
                portText = after.dropFirst()
            }
        } else if let colon = text.firstIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        } else {
            host = text
        }
        guard !host.isEmpty else { throw invalid("the host is missing") }
        // Found by fuzzing (Tests/Fuzz/Targets/redis-url.swift): hosts like `[`, `a]b` or with control
        // characters were accepted, and some could not be written back as a URL.
        guard !host.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control })
        else { throw invalid("the host has spaces or control characters") }
        guard !host.contains("["), !host.contains("]"), text.hasPrefix("[") == host.contains(":") else {
            throw invalid("'\(host)' is neither a host name nor an IPv6 address in brackets")
        }
        var port = defaultPort
        if let portText {
            guard let number = Int(portText), (1...65535).contains(number) else {
                throw invalid("the port '\(portText)' must be a number from 1 to 65535")
            }
            port = number
        }
        return (String(host), port)
    }

    /// The URL without its password, safe to print.
    public var description: String {
        switch endpoint {
        case .unix(let path):
            return "unix://\(path)" + (database == 0 ? "" : "?db=\(database)")
        case .tcp:
            return "redis://\(credentials)\(endpoint)" + (database == 0 ? "" : "/\(database)")
        case .sentinel:
            return "redis+sentinel://\(credentials)\(endpoint)" + (database == 0 ? "" : "?db=\(database)")
        case .cluster:
            return "redis+cluster://\(credentials)\(endpoint)"
        }
    }

    private var credentials: String {
        password == nil ? "" : "\(username ?? ""):***@"
    }

    private static func percentDecoded(_ text: String) -> String {
        guard text.contains("%") else { return text }
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
               let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
