/// A library of Redis Functions (Redis 7), called with `RedisClient.call(_:in:keys:arguments:)`.
///
/// Redis keeps loaded libraries in its RDB and AOF files and replicates them, so a restarted or failed-over
/// server still has them; a new or flushed one gets the library from the client on the first call that
/// finds the function missing (`FUNCTION LOAD REPLACE`).
public struct RedisFunctionLibrary: Sendable, Equatable {
    /// The library's name, as its first line declares it.
    public let name: String
    /// The Lua source, starting `#!lua name=<name>`, registering functions with `redis.register_function`.
    public let source: String

    /// Creates a library.
    /// - Parameters:
    ///   - name: the library's name.
    ///   - source: the Lua source; its first line must be `#!lua name=<name>`, as Redis requires.
    public init(name: String, source: String) {
        precondition(source.hasPrefix("#!lua name=\(name)\n"),
                     "the source of the Redis function library \(name) must start with the line #!lua name=\(name)")
        self.name = name
        self.source = source
    }
}
