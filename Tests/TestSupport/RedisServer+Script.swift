import Foundation

extension RedisServer {
    /// Runs many commands through one `redis-cli` reading them from a file in the server's folder, the way
    /// the end-to-end harnesses add orders by the thousand (a process per command would take minutes).
    /// Arguments are read like a shell's: quote a JSON payload in single quotes, which it must not hold.
    /// - Parameters:
    ///   - lines: one command per line, e.g. `XADD order.created * event '{…}'`.
    ///   - name: the file's name, distinct per batch.
    /// - Returns: what `redis-cli` answered, one reply per line.
    /// - Throws: `RedisServerError` when `redis-cli` fails.
    @discardableResult
    public func cli(script lines: [String], name: String) async throws -> String {
        let file = directory + "/" + name
        try lines.joined(separator: "\n").appending("\n").write(toFile: file, atomically: true, encoding: .utf8)
        let command = ([Executable.redisCLI] + redisCLIArguments + ["<", file]).joined(separator: " ")
        let result = try await ChildProcess.run("/bin/sh", ["-c", command], timeout: .seconds(60))
        guard result.exitCode == 0 else {
            throw RedisServerError("redis-cli < \(name) failed: \(result)")
        }
        return result.standardOutput
    }
}
