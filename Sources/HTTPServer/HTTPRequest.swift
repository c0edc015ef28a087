/// An HTTP request, fully read.
public struct HTTPRequest: Sendable {
    /// `GET`, `POST`, …
    public var method: String
    /// The path without the query, e.g. `/orders/o-1`.
    public var path: String
    /// The header fields as received; look them up with `header(_:)`.
    public var headers: [(name: String, value: String)]
    /// The body.
    public var body: [UInt8]
    /// Parameters taken from the path by the router, e.g. `["id": "o-1"]` for `/orders/{id}`.
    public var parameters: [String: String]

    /// Creates a request.
    public init(
        method: String, path: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
        parameters: [String: String] = [:]
    ) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.parameters = parameters
    }

    /// The first value of a header field, compared without case; `nil` when absent.
    public func header(_ name: String) -> String? {
        headers.first { Self.equalIgnoringASCIICase($0.name, name) }?.value
    }

    /// Whether two field names are equal but for ASCII case, compared byte by byte without making the
    /// lowercased copies `lowercased()` would (field names are ASCII tokens, RFC 9110).
    static func equalIgnoringASCIICase(_ left: String, _ right: String) -> Bool {
        guard left.utf8.count == right.utf8.count else { return false }
        return zip(left.utf8, right.utf8).allSatisfy { lowercase($0) == lowercase($1) }
    }

    private static func lowercase(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }
}
