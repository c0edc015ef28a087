import Foundation
import RedisClient
import Synchronization

/// A private `redis-server` for one test, in a fresh temporary folder.
///
/// By default it listens only on a unix socket in that folder (`--port 0`), so two test runs on one machine
/// never meet; `.tcp` picks a free port on 127.0.0.1 instead. Nothing is saved unless `appendOnly` is set.
/// Use `withRedisServer(_:_:)`, which always stops the server and removes its folder, even when the test
/// fails; dropping the last reference does the same.
public final class RedisServer: Sendable {
    /// How clients reach the server.
    public enum Listener: Sendable, Equatable {
        /// A unix socket, `<folder>/redis.sock`.
        case unixSocket
        /// A free TCP port on 127.0.0.1.
        case tcp
    }

    /// How the server is started.
    public struct Options: Sendable {
        /// How clients reach the server.
        public var listener: Listener
        /// `--requirepass`, when set.
        public var password: String?
        /// Whether to keep an append-only file (`--appendonly yes --appendfsync everysec`), so data survives
        /// `restart()`.
        public var appendOnly: Bool
        /// More `redis-server` arguments, e.g. `["--stream-node-max-entries", "10"]`.
        public var extraArguments: [String]

        /// Creates options.
        public init(
            listener: Listener = .unixSocket, password: String? = nil, appendOnly: Bool = false,
            extraArguments: [String] = []
        ) {
            self.listener = listener
            self.password = password
            self.appendOnly = appendOnly
            self.extraArguments = extraArguments
        }
    }

    /// The server's own temporary folder: socket, log, append-only file.
    public let directory: String
    /// How it was started.
    public let options: Options
    /// Where it listens; the same across `restart()`.
    public let endpoint: RedisURL.Endpoint
    private let process = Mutex<ChildProcess?>(nil)

    private init(options: Options, directory: String, endpoint: RedisURL.Endpoint) {
        self.options = options
        self.directory = directory
        self.endpoint = endpoint
    }

    deinit {
        shutDown()
    }

    /// Starts a server and waits until it answers `PING`.
    /// - Parameter options: how to start it.
    /// - Throws: `TestTimeout` or the launch error when the server does not come up.
    public static func start(_ options: Options = Options()) async throws -> RedisServer {
        _ = StaleServerReaper.reaped
        var attempt = 0
        while true {
            attempt += 1
            let directory = try makeDirectory()
            let endpoint: RedisURL.Endpoint = switch options.listener {
            case .unixSocket: .unix(path: directory + "/redis.sock")
            case .tcp: .tcp(host: "127.0.0.1", port: FreePort.next())
            }
            let server = RedisServer(options: options, directory: directory, endpoint: endpoint)
            do {
                try await server.launch()
                return server
            } catch {
                server.shutDown()
                // Another process may have taken the free port between our probe and the bind: try another.
                if options.listener != .tcp || attempt >= 5 { throw error }
            }
        }
    }

    /// The server's URL, with the password when there is one.
    public var url: RedisURL {
        RedisURL(endpoint: endpoint, password: options.password)
    }

    /// The server's URL as text, as `--redis` and `SWITCHBOARD_REDIS_URL` take it.
    ///
    /// A unix socket URL cannot carry a password; use `.tcp` for servers with one.
    public var urlString: String {
        switch endpoint {
        case .unix(let path): "unix://\(path)"
        case .tcp(let host, let port): "redis://\(options.password.map { ":\($0)@" } ?? "")\(host):\(port)"
        case .sentinel, .cluster: preconditionFailure("a test server listens on a socket or a port")
        }
    }

    /// The `redis-cli` arguments that reach this server.
    public var redisCLIArguments: [String] {
        let address: [String] = switch endpoint {
        case .unix(let path): ["-s", path]
        case .tcp(let host, let port): ["-h", host, "-p", String(port)]
        case .sentinel, .cluster: preconditionFailure("a test server listens on a socket or a port")
        }
        return address + (options.password.map { ["-a", $0, "--no-auth-warning"] } ?? [])
    }

    /// The TCP port, for a `.tcp` server (0 for a unix socket).
    public var port: Int {
        if case .tcp(_, let port) = endpoint { return port }
        return 0
    }

    /// Whether the server process runs.
    public var isRunning: Bool { process.withLock { $0?.isRunning ?? false } }

    /// What the server logged so far, for failure messages.
    public var log: String { process.withLock { $0?.text(of: .standardOutput) ?? "" } }

    /// A client of this server.
    /// - Parameter configuration: timeouts and backoff.
    public func makeClient(configuration: RedisConfiguration = RedisConfiguration()) -> RedisClient {
        RedisClient(url: url, configuration: configuration, logger: .disabled)
    }

    /// Runs `redis-cli` against this server and returns its standard output without the final newline.
    /// - Parameter arguments: the command and its arguments, e.g. `["-n", "3", "GET", "key"]`.
    /// - Throws: `RedisServerError` when `redis-cli` fails.
    @discardableResult
    public func cli(_ arguments: String...) async throws -> String {
        try await cli(arguments)
    }

    /// One field of each hash in `keys` (`""` where the key or field is absent), with one `redis-cli`:
    /// a field per process would take a process per key. Values must not hold line breaks.
    public func field(_ field: String, ofEach keys: [String]) async throws -> [String] {
        guard !keys.isEmpty else { return [] }
        let script = """
            local values = {}
            for i, key in ipairs(KEYS) do values[i] = redis.call('HGET', key, ARGV[1]) or '' end
            return values
            """
        return try await cli(["EVAL", script, String(keys.count)] + keys + [field])
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// Runs `redis-cli` against this server and returns its standard output without the final newline.
    @discardableResult
    public func cli(_ arguments: [String]) async throws -> String {
        let result = try await ChildProcess.run(Executable.redisCLI, redisCLIArguments + arguments)
        guard result.exitCode == 0 else {
            throw RedisServerError("redis-cli \(arguments.joined(separator: " ")) failed: \(result)")
        }
        var output = result.standardOutput
        if output.hasSuffix("\n") { output.removeLast() }
        return output
    }

    /// Stops the server (`SIGTERM`, then `SIGKILL` if it lingers) and waits until it is gone; the folder stays,
    /// so `restart()` can bring it back on the same socket or port.
    public func stop() {
        guard let child = process.withLock({ process in defer { process = nil }; return process }) else { return }
        child.send(signal: SIGTERM)
        let deadline = ContinuousClock.now + .seconds(5)
        while child.isRunning, ContinuousClock.now < deadline {
            usleep(2_000)
        }
        child.kill()
    }

    /// Kills the server (`SIGKILL`, as `kill -9`): no chance to save or to tell anyone; `restart()` brings it back.
    public func crash() {
        process.withLock { process in defer { process = nil }; return process }?.kill()
    }

    /// Stops the server if it runs and starts it again on the same socket or port, with the same folder
    /// (and so the same append-only file), then waits until it answers `PING`.
    /// - Parameter untilLoaded: wait until the server has loaded its data and answers `PONG`; `false`
    ///   returns as soon as it answers at all, `LOADING` included.
    public func restart(untilLoaded: Bool = true) async throws {
        stop()
        try await launch(untilLoaded: untilLoaded)
    }

    /// Stops the server and removes its folder.
    public func shutDown() {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    private var arguments: [String] {
        var arguments = ["--dir", directory, "--save", "", "--daemonize", "no", "--logfile", ""]
        switch endpoint {
        case .unix(let path):
            arguments += ["--port", "0", "--unixsocket", path, "--unixsocketperm", "700"]
        case .tcp(let host, let port):
            arguments += ["--port", String(port), "--bind", host]
        case .sentinel, .cluster:
            preconditionFailure("a test server listens on a socket or a port")
        }
        if let password = options.password { arguments += ["--requirepass", password] }
        arguments += options.appendOnly
            ? ["--appendonly", "yes", "--appendfsync", "everysec"] : ["--appendonly", "no"]
        return arguments + options.extraArguments
    }

    private func launch(untilLoaded: Bool = true) async throws {
        let child = try ChildProcess(Executable.redisServer, arguments, directory: directory)
        process.withLock { $0 = child }
        // Generous: many servers start at once when the suites run in parallel on a loaded machine.
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            guard child.isRunning else {
                throw RedisServerError("redis-server exited at start: \(child.text(of: .standardOutput))")
            }
            // A fresh client each time: a client that failed backs off before trying again.
            let client = makeClient(configuration: RedisConfiguration(connectTimeout: .seconds(1)))
            do {
                if try await client.send("PING") == .simpleString("PONG") { return }
            } catch where !untilLoaded && error.code == .notReady {
                return
            } catch {}
            try await Task.sleep(for: .milliseconds(10))
        }
        throw TestTimeout("redis-server at \(endpoint) did not answer PING within 30 s: \(log)")
    }

    static func makeDirectory() throws -> String {
        // Short, so the socket path stays far below the 108-byte limit of unix socket addresses.
        var template = Array("\(StaleServerReaper.folderPrefix)XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw RedisServerError("cannot create a temporary folder: errno \(errno)")
        }
        let directory = String(cString: made)
        try StaleServerReaper.claim(directory)
        return directory
    }
}

/// Starts a private `redis-server`, runs `body` with it, and always stops it and removes its folder.
/// - Parameters:
///   - options: how to start the server.
///   - body: the test.
public func withRedisServer<Value>(
    _ options: RedisServer.Options = RedisServer.Options(), _ body: (RedisServer) async throws -> Value
) async throws -> Value {
    let server = try await RedisServer.start(options)
    defer { server.shutDown() }
    return try await body(server)
}
