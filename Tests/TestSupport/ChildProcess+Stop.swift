#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing

extension ChildProcess {
    /// Stops processes as `systemctl stop` does, the teardown every end-to-end harness shares: each gets
    /// `SIGCONT` (a frozen one could not exit) and `SIGTERM`, then each must exit 0 within `timeout`; one
    /// that outlives it is killed.
    /// - Parameters:
    ///   - processes: the processes by the name failure messages give them.
    ///   - timeout: how long each may take (the processes' grace period, and some).
    ///   - sourceLocation: where a failure is reported.
    public static func stopGracefully(
        _ processes: [String: ChildProcess], timeout: Duration = .seconds(15),
        sourceLocation: SourceLocation = #_sourceLocation
    ) async {
        for process in processes.values {
            process.send(signal: SIGCONT)
            process.send(signal: SIGTERM)
        }
        for (name, process) in processes.sorted(by: { $0.key < $1.key }) {
            let termination = await process.waitForExit(timeout: timeout)
            process.kill()
            #expect(termination == .exited(0),
                    "\(name) did not stop cleanly: \(process.text(of: .standardError).suffix(3000))",
                    sourceLocation: sourceLocation)
        }
    }
}
