/// A Lua script run by SHA1 with `EVALSHA`, falling back to `EVAL` when the server lacks it.
public struct RedisScript: Sendable {
    /// A name for error messages: `Redis script <name> failed: …`.
    public let name: String
    /// The Lua source.
    public let source: String
    /// The SHA1 of the source in lower-case hex, as `SCRIPT LOAD` answers it.
    public let sha1: String

    /// Creates a script.
    /// - Parameters:
    ///   - name: a name for messages.
    ///   - source: the Lua source.
    public init(name: String, source: String) {
        self.name = name
        self.source = source
        self.sha1 = SHA1.hexDigest(of: Array(source.utf8))
    }
}
