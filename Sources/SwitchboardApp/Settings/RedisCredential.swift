#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The Redis ACL user one service (or the admin tasks) logs in as: `redis.users.<name>` in the settings file.
///
/// The password itself is never part of the settings, so it is never printed or logged: only where it is
/// read from, a file (e.g. `/etc/switchboard/payment.password`, mode 0600) or an environment variable.
public struct RedisCredential: Sendable, Equatable, CustomStringConvertible {
    /// Where the password is read from.
    public enum PasswordSource: Sendable, Equatable {
        /// The first line of this file.
        case file(String)
        /// This environment variable.
        case environment(String)
    }

    /// The ACL user name.
    public var user: String
    /// Where its password is read from.
    public var password: PasswordSource

    /// Creates a credential.
    public init(user: String, password: PasswordSource) {
        self.user = user
        self.password = password
    }

    /// The user and where the password comes from, never the password: what `switchboard config` prints.
    public var description: String {
        switch password {
        case .file(let path): "user \(user), password from file \(path)"
        case .environment(let name): "user \(user), password from environment \(name)"
        }
    }

    /// Reads the password.
    /// - Parameter environment: the process environment.
    /// - Throws: `CommandFailure` with exit code 78 when the file cannot be read, the variable is not set,
    ///   or the password is empty.
    public func resolvePassword(environment: [String: String]) throws(CommandFailure) -> String {
        let text: String
        switch password {
        case .file(let path):
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw CommandFailure(.configuration, "the password file \(path) of Redis user \(user) cannot be read")
            }
            text = String(decoding: contents, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        case .environment(let name):
            guard let value = environment[name] else {
                throw CommandFailure(.configuration, "the password of Redis user \(user): $\(name) is not set")
            }
            text = value
        }
        guard !text.isEmpty else {
            throw CommandFailure(.configuration, "the password of Redis user \(user) (\(description)) is empty")
        }
        return text
    }
}
