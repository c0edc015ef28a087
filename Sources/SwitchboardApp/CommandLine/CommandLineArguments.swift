/// The parsed command line: the command and the global flags, which may stand anywhere.
public struct CommandLineArguments: Sendable, Equatable {
    /// What to do.
    public var command: Command
    /// The global flags.
    public var flags: GlobalFlags

    /// The usage text printed by `help` and after a usage error.
    public static let usage = """
        usage: switchboard COMMAND [ARGUMENTS] [FLAGS]

        commands:
          run [SERVICE…]        run services in this process (order, stock, payment, notification, ingress);
                                none named runs all of them; SERVICE-TAG (stock-2) runs SERVICE, as the
                                systemd unit switchboard@stock-2 does
          publish TYPE JSON     publish one event; a bare JSON object becomes the data of a new event
          tail [PATTERN]        print events live as they pass, one line each (default pattern '*')
          trace ORDER_ID        the timeline of one order: each event, its service, the time between hops
          dlq list              the dead letters: channel, service, reason, payload
          dlq replay [ID…]      publish dead letters again on their channels and remove them (all when none named)
          bench [OPTIONS]       drive orders through the running system; report throughput and latency
                                --mode bus|http  --orders N  --concurrency C (closed loop)  --rate R (open loop)
                                --url URL (http mode)  --wait N (Prefer: wait for http mode)
          health                Redis's state and each service's live instances (exit 69 unless all is well)
          config                the effective settings and where each came from (passwords masked)
          acl                   the Redis ACL rules of every service user and the admin (an ACL file)
          acl load              load the Redis function libraries as the admin user (after ACL LOAD)
          version               the version and the git commit it was built from (also --version)
          help                  print this text (also --help)

        settings, later ones winning: built-in defaults, the settings file, environment variables, flags.
        The settings file is the first of --config, $SWITCHBOARD_CONFIG, ./Config/switchboard.json,
        /etc/switchboard/switchboard.json; with none, the built-in defaults and catalog apply.

        flags:
          --config PATH         settings file (must exist)
          --redis URL           redis://[[user]:password@]host[:port][/db], unix:///path, or
                                redis+sentinel://host1[:26379],host2[:26379]/primary-name[?db=N]
                                (else $SWITCHBOARD_REDIS_URL, $REDIS_URL, redis.url, redis://127.0.0.1:6379)
          --transport NAME      pubsub (default) or streams (else $SWITCHBOARD_TRANSPORT, transport)
          --instance NAME       this instance's name in its services' consumer groups (default host-pid)
          --http-port N         HTTP ingress port (else $SWITCHBOARD_HTTP_PORT, http.port, 8080)
          --log-level LEVEL     trace, debug, info, notice, warning, error, critical
                                (else $SWITCHBOARD_LOG_LEVEL, log.level, info)

        exit codes: 0 done, 64 usage, 65 bad input data, 69 broker unreachable, 70 internal failure,
        78 bad configuration
        """

    /// Parses the arguments after the program name.
    /// - Throws: `CommandFailure` with exit code 64 saying what is wrong.
    public init(parsing arguments: [String]) throws(CommandFailure) {
        var flags = GlobalFlags()
        var positional: [String] = []
        var commandOptions: [String: String] = [:]
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--") else {
                positional.append(argument)
                continue
            }
            if argument == "--help" || argument == "--version" {
                positional = [String(argument.dropFirst(2))]
                break
            }
            let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
            let name = parts[0]
            let value: String
            if parts.count == 2 {
                value = parts[1]
            } else {
                guard index < arguments.endIndex else { throw CommandFailure(.usage, "\(name) needs a value") }
                value = arguments[index]
                index += 1
            }
            switch name {
            case "--config": flags.configPath = value
            case "--redis": flags.redisURL = value
            case "--transport": flags.transport = value
            case "--http-port": flags.httpPort = value
            case "--log-level": flags.logLevel = value
            case "--instance": flags.instance = value
            case _ where BenchCommand.optionNames.contains(name): commandOptions[name] = value
            default: throw CommandFailure(.usage, "unknown flag \(name)")
            }
        }
        self.flags = flags
        self.command = try Self.command(from: positional, options: commandOptions)
    }

    private static func command(from positional: [String], options: [String: String]) throws(CommandFailure)
        -> Command
    {
        if !options.isEmpty, positional.first != "bench" {
            throw CommandFailure(.usage, "\(options.keys.sorted().joined(separator: ", ")) only go with bench")
        }
        guard let name = positional.first else { throw CommandFailure(.usage, "no command given") }
        let rest = Array(positional.dropFirst())
        switch name {
        case "run":
            return .run(services: rest)
        case "publish":
            guard rest.count == 2 else { throw CommandFailure(.usage, "publish takes TYPE and JSON, e.g. publish order.created '{…}'") }
            return .publish(type: rest[0], json: rest[1])
        case "tail":
            guard rest.count <= 1 else { throw CommandFailure(.usage, "tail takes at most one PATTERN") }
            return .tail(pattern: rest.first ?? "*")
        case "trace":
            guard rest.count == 1 else { throw CommandFailure(.usage, "trace takes one ORDER_ID") }
            return .trace(orderID: rest[0])
        case "dlq":
            switch rest.first {
            case "list" where rest.count == 1: return .deadLetterList
            case "replay": return .deadLetterReplay(ids: Array(rest.dropFirst()))
            default: throw CommandFailure(.usage, "dlq takes 'list' or 'replay [ID…]'")
            }
        case "bench":
            guard rest.isEmpty else { throw CommandFailure(.usage, "bench takes options only, e.g. --mode http") }
            return .bench(options: options)
        case "health", "config", "version":
            guard rest.isEmpty else { throw CommandFailure(.usage, "\(name) takes no arguments") }
            return switch name {
            case "health": .health
            case "config": .config
            default: .version
            }
        case "acl":
            switch rest {
            case []: return .acl
            case ["load"]: return .aclLoad
            default: throw CommandFailure(.usage, "acl takes nothing or 'load'")
            }
        case "help":
            return .help
        default:
            throw CommandFailure(.usage, "unknown command '\(name)'")
        }
    }
}
