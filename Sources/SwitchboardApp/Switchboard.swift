/// The `switchboard` command: parses the command line, builds the application and runs the command.
public enum Switchboard {
    /// The version reported in heartbeats and by `--version`.
    public static let version = "0.2.0"

    /// The git commit the binary was built from (`git describe --always --dirty`), or nil when it is not
    /// known. `make` writes it into `Switchboard+BuildStamp.swift` (git-ignored) and compiles that file with
    /// `-DSWITCHBOARD_BUILD_STAMP`; a plain `swift build` compiles the fallback below instead.
    public static let commit: String? = buildStamp

    /// Runs the command line and returns the process's exit code; every failure prints one line on
    /// standard error saying what failed and where.
    /// - Parameters:
    ///   - arguments: the arguments after the program name.
    ///   - environment: the process environment.
    public static func main(arguments: [String], environment: [String: String]) async -> Int32 {
        do {
            try await run(arguments: arguments, environment: environment)
            return ExitCode.success.rawValue
        } catch {
            Output.error("switchboard: \(error.message)")
            if error.exitCode == .usage { Output.error("run 'switchboard help' for usage") }
            return error.exitCode.rawValue
        }
    }

    private static func run(arguments: [String], environment: [String: String]) async throws(CommandFailure) {
        let commandLine = try CommandLineArguments(parsing: arguments)
        let loader = SettingsLoader(environment: environment)
        func application() throws(CommandFailure) -> Application {
            try Application(settings: loader.load(flags: commandLine.flags), environment: environment)
        }
        switch commandLine.command {
        case .help:
            Output.standard(CommandLineArguments.usage)
        case .version:
            Output.standard(VersionCommand.line)
        case .config:
            Output.standard(ConfigCommand(resolved: try loader.resolve(flags: commandLine.flags)).render())
        case .acl:
            let policy = AccessPolicy(settings: try loader.load(flags: commandLine.flags))
            let file = try policy.aclFile(environment: environment)
            Output.standard(file.rules)
            for note in file.notes + [AccessPolicy.setUp] { Output.error(note) }
        case .aclLoad:
            Output.standard(try await AccessCommand(application: application()).loadLibraries())
        case .run(let services):
            try await RunCommand(application: application(), requested: services).run()
        case .publish(let type, let json):
            Output.standard(try await PublishCommand(application: application(), type: type, json: json).run())
        case .trace(let orderID):
            Output.standard(try await TraceCommand(application: application(), orderID: orderID).run())
        case .deadLetterList:
            Output.standard(try await DeadLetterCommand(application: application()).list())
        case .deadLetterReplay(let ids):
            Output.standard(try await DeadLetterCommand(application: application()).replay(ids))
        case .bench(let options):
            Output.standard(try await BenchCommand(application: application(), options: options).run())
        case .health:
            try await HealthCommand(application: application()).run()
        case .tail(let pattern):
            try await TailCommand(application: application(), pattern: pattern).run()
        }
    }
}

#if !SWITCHBOARD_BUILD_STAMP
extension Switchboard {
    /// Without `make`'s build stamp the commit is unknown.
    static let buildStamp: String? = nil
}
#endif
