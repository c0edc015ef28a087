/// A library of Redis Functions (Redis 7), called with `RedisClient.call(_:in:keys:arguments:)`.
///
/// Redis keeps loaded libraries in its RDB and AOF files and replicates them, so a restarted or failed-over
/// server still has them; a new or flushed one gets the library from the client on the first call that
/// finds the function missing (`FUNCTION LOAD REPLACE`).
///
/// A library is versioned by its code: its name and the name of each function it registers end with
/// `version`, the first eight hex digits of the code's SHA-256 (`switchboard_bus_1a2b3c4d`,
/// `switchboard_commit_1a2b3c4d`). A server that kept an older version of the code (an upgrade, or a process
/// of the previous release still running) therefore never serves a client of this one with it: the call
/// finds its function missing and loads this version beside the other, and each release's processes call
/// their own until the last old one stops.
public struct RedisFunctionLibrary: Sendable, Equatable {
    /// The library's name as Redis knows it: the name given, then `_` and the version.
    public let name: String
    /// Eight hex digits of the code's SHA-256.
    public let version: String
    /// What ends the name of each function of this version: `_` and the version.
    public let functionSuffix: String
    /// The Lua source as loaded: the `#!lua name=<name>` line, a line defining the local `version` as
    /// `_<version>`, then the code.
    public let source: String

    /// Creates a library.
    /// - Parameters:
    ///   - name: the library's name, without its version.
    ///   - code: the Lua that defines the functions and registers each as its name followed by `version`,
    ///     a local string the source defines ahead of the code:
    ///     `redis.register_function('bump' .. version, bump)`.
    public init(name: String, code: String) {
        precondition(code.contains("' .. version"),
                     "the Redis function library \(name) must register its functions as '<name>' .. version")
        version = String(SHA256.hexDigest(of: Array(code.utf8)).prefix(8))
        functionSuffix = "_\(version)"
        self.name = name + functionSuffix
        source = "#!lua name=\(self.name)\nlocal version = '\(functionSuffix)'\n" + code
    }

    /// The name `function` is registered under in this version of the library, as `FCALL` names it.
    public func registeredName(of function: String) -> String {
        function + functionSuffix
    }
}
