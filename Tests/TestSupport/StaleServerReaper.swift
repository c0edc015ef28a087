import Foundation

/// Cleans up after test runs that ended without stopping their servers (a crash, or Ctrl-C on `make test`):
/// their `redis-server`s and the `switchboard` processes started against them would otherwise run for ever.
///
/// Every `RedisServer` folder holds `owner.pid`, the test process that made it. A folder whose owner is gone
/// is stale: each process that names the folder on its command line or runs in it is killed, and the folder
/// removed. Folders of live test runs, including concurrent ones, are never touched.
enum StaleServerReaper {
    /// Where `RedisServer` makes its folders, and how their names start.
    static let folderPrefix = "/tmp/switchboard-redis-"
    /// The file in each folder that names the owning test process.
    static let ownerFileName = "owner.pid"

    /// Reaps once per test process, on first use.
    static let reaped: Bool = {
        reap()
        return true
    }()

    /// Marks `directory` as owned by this process.
    static func claim(_ directory: String) throws {
        let pid = String(ProcessInfo.processInfo.processIdentifier)
        try pid.write(toFile: "\(directory)/\(ownerFileName)", atomically: true, encoding: .utf8)
    }

    private static func reap() {
        let files = FileManager.default
        let parent = String(folderPrefix[..<folderPrefix.lastIndex(of: "/")!])
        let prefix = String(folderPrefix[folderPrefix.index(after: folderPrefix.lastIndex(of: "/")!)...])
        guard let names = try? files.contentsOfDirectory(atPath: parent) else { return }
        let stale = names.filter { $0.hasPrefix(prefix) }.map { "\(parent)/\($0)" }.filter(isStale)
        guard !stale.isEmpty else { return }
        let processes = ((try? files.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
        for directory in stale {
            for pid in processes where pid != getpid() && uses(pid, directory) {
                kill(pid, SIGKILL)
            }
            try? files.removeItem(atPath: directory)
        }
    }

    private static func isStale(_ directory: String) -> Bool {
        guard let text = try? String(contentsOfFile: "\(directory)/\(ownerFileName)", encoding: .utf8),
              let owner = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else { return false }
        // Gone, or a zombie that nobody has reaped yet.
        guard let status = try? String(contentsOfFile: "/proc/\(owner)/stat", encoding: .utf8),
              let nameEnd = status.lastIndex(of: ")")
        else { return true }
        let state = status[nameEnd...].dropFirst(2).first
        return state == "Z" || state == "X"
    }

    /// Whether process `pid` names `directory` in its arguments or runs in it.
    private static func uses(_ pid: Int32, _ directory: String) -> Bool {
        if let cwd = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd"),
           cwd == directory {
            return true
        }
        guard let arguments = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        return String(decoding: arguments.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
            .contains(directory)
    }
}
