/// A system of `switchboard` processes on a private redis-server, the one builder every end-to-end harness
/// starts from: the server, a settings file of the test's own in its folder (`TestSettings.write`), an
/// environment without the caller's `SWITCHBOARD_*` variables, the options that point a process at all three,
/// and the wait until the processes consume what the production wiring says they consume.
///
/// A harness keeps what is its own (which processes, an observer, queries of the saga's records) and asks
/// this for the rest; it calls `shutDown()` once its processes are stopped.
public final class SwitchboardSystem: Sendable {
    /// The private server.
    public let redis: RedisServer
    /// `pubsub` or `streams`.
    public let transport: String
    /// The settings file, `<server folder>/switchboard.json`.
    public let configPath: String
    /// What the processes get: the test's environment without `SWITCHBOARD_*` and `REDIS_URL`, and the extras.
    public let environment: [String: String]

    private init(redis: RedisServer, transport: String, configPath: String, environment: [String: String]) {
        self.redis = redis
        self.transport = transport
        self.configPath = configPath
        self.environment = environment
    }

    /// Starts the server and writes the settings; the server goes again when the settings cannot be written.
    /// - Parameters:
    ///   - transport: `pubsub` or `streams`.
    ///   - redis: how the server starts (`appendOnly`, extra arguments).
    ///   - settings: members of the settings file besides the catalog, e.g. `"shutdownGraceSeconds": 5`.
    ///   - environment: more environment variables for the processes.
    public static func start(
        transport: String = "pubsub", redis options: RedisServer.Options = RedisServer.Options(), settings: String = "",
        environment: [String: String] = [:]
    ) async throws -> SwitchboardSystem {
        let redis = try await RedisServer.start(options)
        do {
            let configPath = try TestSettings.write(in: redis.directory, settings)
            return SwitchboardSystem(redis: redis, transport: transport, configPath: configPath,
                                     environment: TestSettings.environment(environment))
        } catch {
            redis.shutDown()
            throw error
        }
    }

    /// `--redis URL --transport T --config PATH`: what points a `switchboard` command at this system.
    public var options: [String] {
        ["--redis", redis.urlString, "--transport", transport, "--config", configPath]
    }

    /// Starts `switchboard ARGUMENTS…` against this system (e.g. `run order --instance order-1`); the caller
    /// stops it.
    public func spawn(_ arguments: [String]) throws -> ChildProcess {
        try ChildProcess(Executable.switchboard, arguments + options, environment: environment)
    }

    /// Runs `switchboard ARGUMENTS…` once against this system and returns what it printed.
    public func switchboard(_ arguments: [String]) async throws -> ChildProcess.Result {
        try await ChildProcess.run(Executable.switchboard, arguments + options, environment: environment)
    }

    /// Whether the processes consume what `consumers` say, each a service's name and the channels it takes
    /// (the production wiring: `AccessPolicy.services`' `consumes`, which are the services' `subscriptions`).
    ///
    /// On streams, each consumer's group exists on each of its streams; the ingress reads without a group
    /// (`XREAD`) and is not looked for. On pub/sub, each channel has exactly as many subscribers as
    /// consumers take it, plus `others` (clients a test subscribed itself).
    public func isConsuming(_ consumers: [(name: String, channels: [String])], others: [String: Int] = [:])
        async throws -> Bool
    {
        if transport == "streams" {
            for consumer in consumers where consumer.name != "ingress" {
                for stream in consumer.channels {
                    let groups = try await redis.cli("XINFO", "GROUPS", stream).split(separator: "\n")
                    guard groups.contains(Substring(consumer.name)) else { return false }
                }
            }
            return true
        }
        let channels = Set(consumers.flatMap(\.channels)).union(others.keys).sorted()
        guard !channels.isEmpty else { return true }
        let counts = try await redis.cli(["PUBSUB", "NUMSUB"] + channels)
        let numbers = counts.split(separator: "\n").enumerated().filter { $0.offset % 2 == 1 }.map { Int($0.element) }
        return numbers == channels.map { channel in
            consumers.filter { $0.channels.contains(channel) }.count + (others[channel] ?? 0)
        }
    }

    /// Stops the server and removes its folder; stop the processes first.
    public func shutDown() {
        redis.shutDown()
    }
}
