import Foundation

/// Where the programs the tests run are.
public enum Executable {
    /// `redis-server`, from `PATH` (or `/usr/bin`).
    public static var redisServer: String { find("redis-server") }

    /// `redis-cli`, from `PATH` (or `/usr/bin`).
    public static var redisCLI: String { find("redis-cli") }

    /// The built `switchboard` executable.
    ///
    /// `SWITCHBOARD_EXECUTABLE` wins; otherwise it is the `switchboard` beside the running test bundle (both
    /// live in SwiftPM's bin folder, and `swift build --build-tests` builds it), else
    /// `.build/debug/switchboard` in the package.
    public static var switchboard: String {
        if let explicit = ProcessInfo.processInfo.environment["SWITCHBOARD_EXECUTABLE"] { return explicit }
        var candidates: [String] = []
        if let running = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(folder(of: running) + "/switchboard")
        }
        if let bundle = Bundle.main.executablePath {
            candidates.append(folder(of: bundle) + "/switchboard")
        }
        candidates.append(Repository.path(".build/debug/switchboard"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates.last!
    }

    /// The first executable named `name` on `PATH`, else `/usr/bin/name`.
    public static func find(_ name: String) -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return "/usr/bin/\(name)"
    }

    private static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
