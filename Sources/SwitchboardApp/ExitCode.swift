/// Process exit codes, following sysexits(3).
public enum ExitCode: Int32, Sendable {
    /// Done.
    case success = 0
    /// The command line was wrong.
    case usage = 64
    /// The input data was wrong (e.g. the JSON given to `publish`).
    case dataError = 65
    /// The broker (Redis) cannot be reached.
    case unavailable = 69
    /// Something failed inside Switchboard.
    case software = 70
    /// The configuration is wrong.
    case configuration = 78
}
