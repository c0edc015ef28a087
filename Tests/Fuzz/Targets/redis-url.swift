import RedisClient

/// The Redis URL parser (`--redis`, `redis.url`, `SWITCHBOARD_REDIS_URL`).
///
/// Properties: a refusal says "invalid Redis URL" and why; a parsed URL has a port from 1 to 65535 and a
/// database ≥ 0, a host without spaces or control characters, its printable form does not depend on the
/// password, and the URL written back from its parts
/// (user and password percent-encoded) parses to the same parts.
@_cdecl("LLVMFuzzerTestOneInput")
public func redisURLTarget(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: FuzzCheck.bytes(data, size), as: UTF8.self)
    let url: RedisURL
    do {
        url = try RedisURL(text)
    } catch {
        // Compared as bytes: a combining mark at the start of the input joins the quote into one Character.
        let reason = error.message.utf8.count - "invalid Redis URL '".utf8.count - text.utf8.count - "': ".utf8.count
        FuzzCheck.require(error.code == .invalidURL && error.message.utf8.starts(with: "invalid Redis URL '".utf8) && reason > 0,
                          "an unhelpful refusal: \(error.message)")
        return 0
    }
    FuzzCheck.require(url.database >= 0, "database \(url.database) from \(text)")
    if case .tcp(let host, let port) = url.endpoint {
        FuzzCheck.require((1...65535).contains(port) && !host.isEmpty, "endpoint \(url.endpoint) from \(text)")
    }
    if case .tcp(let host, _) = url.endpoint {
        FuzzCheck.require(!host.unicodeScalars.contains { $0.properties.isWhitespace || $0.properties.generalCategory == .control },
                          "a host with spaces or control characters accepted: \(text)")
    }
    var otherPassword = url
    otherPassword.password = url.password.map { $0 + "-other" }
    FuzzCheck.require(url.description == otherPassword.description, "the password shows in \(url.description)")
    let written = spelled(url)
    do {
        let again = try RedisURL(written)
        FuzzCheck.require(again == url, "\(text) → \(written) parsed differently: \(again) vs \(url)")
    } catch {
        FuzzCheck.require(false, "\(text) written back as \(written) is refused: \(error.message)")
    }
    return 0
}

/// The URL spelled from its parts: the user, the password and a socket path percent-encoded but for a
/// path's slashes. (The parser sets a user only together with a password.)
private func spelled(_ url: RedisURL) -> String {
    func encoded(_ text: String, keeping kept: Set<UInt8> = []) -> String {
        text.utf8.map { byte in
            if kept.contains(byte) { return String(UnicodeScalar(byte)) }
            let hex = String(byte, radix: 16, uppercase: true)
            return "%" + (hex.count == 1 ? "0" + hex : hex)
        }.joined()
    }
    switch url.endpoint {
    case .unix(let path):
        return "unix://" + encoded(path, keeping: [UInt8(ascii: "/")]) + (url.database == 0 ? "" : "?db=\(url.database)")
    case .tcp:
        return "redis://" + credentials(of: url, encoded) + url.endpoint.description + "/\(url.database)"
    case .sentinel(let sentinels):
        return "redis+sentinel://" + credentials(of: url, encoded) + sentinels.addresses.map(\.description)
            .joined(separator: ",") + "/" + encoded(sentinels.primaryName) + "?db=\(url.database)"
    case .cluster(let seeds):
        return "redis+cluster://" + credentials(of: url, encoded) + seeds.map(\.description).joined(separator: ",")
    }
}

/// `user:password@` percent-encoded, or nothing.
private func credentials(of url: RedisURL, _ encoded: (String, Set<UInt8>) -> String) -> String {
    url.password.map { (url.username.map { encoded($0, []) } ?? "") + ":" + encoded($0, []) + "@" } ?? ""
}
