import Foundation
import RedisClient
import Synchronization

/// A private `redis-sentinel` for one test: its own writable configuration in a fresh temporary folder (Sentinel
/// rewrites it as it learns), on a free port of 127.0.0.1.
public final class RedisSentinelProcess: Sendable {
    /// The Sentinel's folder, holding `sentinel.conf`.
    public let directory: String
    /// Its port on 127.0.0.1; the same across `restart()`.
    public let port: Int
    /// Its own `requirepass`, if any.
    public let password: String?
    private let process = Mutex<ChildProcess?>(nil)

    private init(directory: String, port: Int, password: String?) {
        self.directory = directory
        self.port = port
        self.password = password
    }

    deinit {
        shutDown()
    }

    /// Starts a Sentinel that monitors `primaryName` at `primaryPort`, and waits until it answers `PING`.
    /// - Parameters:
    ///   - primaryName: the name it monitors the primary by.
    ///   - primaryPort: the primary's port on 127.0.0.1.
    ///   - quorum: how many Sentinels must agree that the primary is down.
    ///   - downAfter: how long the primary may not answer before this Sentinel deems it down.
    ///   - password: the Sentinel's own `requirepass`, if any.
    public static func start(
        primaryName: String, primaryPort: Int, quorum: Int, downAfter: Duration = .milliseconds(1000),
        password: String? = nil
    ) async throws -> RedisSentinelProcess {
        var attempt = 0
        while true {
            attempt += 1
            let sentinel = RedisSentinelProcess(
                directory: try RedisServer.makeDirectory(), port: FreePort.next(), password: password
            )
            let milliseconds = downAfter.components.seconds * 1000 + downAfter.components.attoseconds / 1_000_000_000_000_000
            var lines = [
                "port \(sentinel.port)", "bind 127.0.0.1", "dir \(sentinel.directory)", "daemonize no", "logfile \"\"",
                "sentinel monitor \(primaryName) 127.0.0.1 \(primaryPort) \(quorum)",
                "sentinel down-after-milliseconds \(primaryName) \(milliseconds)",
                "sentinel failover-timeout \(primaryName) 3000",
                "sentinel parallel-syncs \(primaryName) 2",
            ]
            if let password { lines.append("requirepass \(password)") }
            try (lines.joined(separator: "\n") + "\n")
                .write(toFile: sentinel.configurationPath, atomically: true, encoding: .utf8)
            do {
                try await sentinel.launch()
                return sentinel
            } catch {
                sentinel.shutDown()
                if attempt >= 5 { throw error }
            }
        }
    }

    /// Where its configuration is.
    public var configurationPath: String { directory + "/sentinel.conf" }

    /// The Sentinel's address, as a `redis+sentinel://` URL lists it.
    public var address: String { "127.0.0.1:\(port)" }

    /// Whether the process runs.
    public var isRunning: Bool { process.withLock { $0?.isRunning ?? false } }

    /// What it logged so far, for failure messages.
    public var log: String { process.withLock { $0?.text(of: .standardOutput) ?? "" } }

    /// Runs `redis-cli` against this Sentinel and returns its standard output without the final newline.
    @discardableResult
    public func cli(_ arguments: String...) async throws -> String {
        let login = password.map { ["-a", $0, "--no-auth-warning"] } ?? []
        let result = try await ChildProcess.run(
            Executable.redisCLI, ["-h", "127.0.0.1", "-p", String(port)] + login + arguments
        )
        guard result.exitCode == 0 else {
            throw RedisServerError("redis-cli -p \(port) \(arguments.joined(separator: " ")) failed: \(result)")
        }
        var output = result.standardOutput
        if output.hasSuffix("\n") { output.removeLast() }
        return output
    }

    /// Stops the Sentinel (`SIGKILL`); its configuration stays, so `restart()` brings it back as it was.
    public func stop() {
        process.withLock { process in defer { process = nil }; return process }?.kill()
    }

    /// Starts it again on the same port with its (rewritten) configuration.
    public func restart() async throws {
        stop()
        try await launch()
    }

    /// Stops it and removes its folder.
    public func shutDown() {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func launch() async throws {
        let child = try ChildProcess(Executable.find("redis-sentinel"), [configurationPath], directory: directory)
        process.withLock { $0 = child }
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            guard child.isRunning else {
                throw RedisServerError("redis-sentinel exited at start: \(child.text(of: .standardOutput))")
            }
            if (try? await cli("PING")) == "PONG" { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestTimeout("redis-sentinel on port \(port) did not answer PING within 5 s: \(log)")
    }
}
