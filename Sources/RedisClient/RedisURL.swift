/// Where a Redis server is and how to log in: `redis://[[user]:password@]host[:port][/db]` or
/// `unix:///path/to.sock[?db=N]`.
public struct RedisURL: Sendable, Equatable, CustomStringConvertible {
    /// How to reach the server.
    public enum Endpoint: Sendable, Equatable, CustomStringConvertible {
        case tcp(host: String, port: Int)
        case unix(path: String)

        public var description: String {
            switch self {
            case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            case .unix(let path): path
            }
        }
    }

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
            var rest = String(string.dropFirst("unix://".count))
            var database = 0
            if let query = rest.firstIndex(of: "?") {
                let parameters = rest[rest.index(after: query)...]
                rest = String(rest[..<query])
                for parameter in parameters.split(separator: "&") {
                    let pair = parameter.split(separator: "=", maxSplits: 1).map(String.init)
                    guard pair.count == 2, pair[0] == "db" else { throw invalid("unknown parameter '\(parameter)'") }
                    guard let number = Int(pair[1]), number >= 0 else { throw invalid("db must be a number ≥ 0") }
                    database = number
                }
            }
            guard rest.hasPrefix("/"), rest.count > 1 else {
                throw invalid("a unix socket URL needs an absolute path, e.g. unix:///run/redis.sock")
            }
            self.init(endpoint: .unix(path: Self.percentDecoded(rest)), database: database)
            return
        }
        guard string.hasPrefix("redis://") else {
            throw invalid("it must start with redis:// or unix://")
        }
        var rest = Substring(string.dropFirst("redis://".count))
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
        var host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw invalid("unclosed '[' in an IPv6 host") }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw invalid("unexpected '\(after)' after the IPv6 host") }
                portText = after.dropFirst()
            }
        } else if let colon = rest.firstIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        guard !host.isEmpty else { throw invalid("the host is missing") }
        // Found by fuzzing (Tests/Fuzz/Targets/redis-url.swift): hosts like `[`, `a]b` or with control
        // characters were accepted, and some could not be written back as a URL.
        guard !host.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control })
        else { throw invalid("the host has spaces or control characters") }
        guard !host.contains("["), !host.contains("]"), rest.hasPrefix("[") == host.contains(":") else {
            throw invalid("'\(host)' is neither a host name nor an IPv6 address in brackets")
        }
        var port = Self.defaultPort
        if let portText {
            guard let number = Int(portText), (1...65535).contains(number) else {
                throw invalid("the port '\(portText)' must be a number from 1 to 65535")
            }
            port = number
        }
        self.init(endpoint: .tcp(host: String(host), port: port), username: username, password: password,
                  database: database)
    }

    /// The URL without its password, safe to print.
    public var description: String {
        switch endpoint {
        case .unix(let path):
            return "unix://\(path)" + (database == 0 ? "" : "?db=\(database)")
        case .tcp:
            let credentials = password == nil ? "" : "\(username ?? ""):***@"
            return "redis://\(credentials)\(endpoint)" + (database == 0 ? "" : "/\(database)")
        }
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
