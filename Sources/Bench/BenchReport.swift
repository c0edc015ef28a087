import Telemetry

/// The result of one benchmark run.
public struct BenchReport: Sendable {
    /// `bus` or `http`, with `closed` or `open` loop.
    public var mode: String
    /// Orders sent.
    public var sent: Int
    /// Orders that reached a final state in time.
    public var completed: Int
    /// Failures by kind.
    public var errors: [String: Int]
    /// From the first send to the last completion.
    public var elapsed: Duration
    /// Latency percentiles: send (or scheduled send) to final state.
    public var latency: LatencySummary
    /// Orders per second the driver reaches against a sink that does nothing: its own ceiling.
    public var driverCeiling: Double?
    /// Redis commands the driver sent to measure its ceiling, to leave out of the system's count.
    public var driverCommands = 0
    /// Orders the ingress shed with `503`.
    public var shed = 0
    /// The longest any request took to be answered, shed and unfinished ones included.
    public var slowestAnswer: Duration = .zero
    /// From the end of a timed load until one order again completes within 3 × its unloaded latency.
    public var recovery: Duration?

    /// How the progress line starts that a driver writes once its ceiling is measured and its orders start:
    /// `make bench` (`scripts/bench.py`) counts the system's CPU and commands per order from that line on, so
    /// the ceiling's requests are not counted as the orders'.
    public static let sendingOrders = "sending orders"

    /// Completed orders per second.
    public var throughput: Double { elapsed > .zero ? Double(completed) / elapsed.seconds : 0 }

    /// Readable lines.
    public var text: String {
        let errorText = errors.isEmpty ? "none" : errors.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
            .joined(separator: ", ")
        var lines = [
            "mode:        \(mode)",
            "orders:      \(sent) sent, \(completed) final in \(elapsed.millisecondsText) ms",
            "throughput:  \(Int(throughput.rounded())) orders/s",
            "latency ms:  p50 \(latency.p50.millisecondsText)  p90 \(latency.p90.millisecondsText)  "
                + "p99 \(latency.p99.millisecondsText)  p99.9 \(latency.p999.millisecondsText)  "
                + "max \(latency.max.millisecondsText)",
            "errors:      \(errorText)",
        ]
        if shed > 0 || slowestAnswer > .zero {
            lines.append("shed:        \(shed) (503), slowest answer \(slowestAnswer.millisecondsText) ms")
        }
        if let recovery { lines.append("recovery:    \(recovery.millisecondsText) ms") }
        if let driverCeiling { lines.append("driver:      ceiling \(Int(driverCeiling.rounded())) orders/s") }
        return lines.joined(separator: "\n")
    }

    /// One line of `key=value` pairs, for scripts (`make bench`).
    public var summaryLine: String {
        let errorCount = errors.values.reduce(0, +)
        return "BENCH mode=\(mode) sent=\(sent) completed=\(completed) errors=\(errorCount) "
            + "throughput=\(Int(throughput.rounded())) p50=\(latency.p50.millisecondsText) "
            + "p90=\(latency.p90.millisecondsText) p99=\(latency.p99.millisecondsText) "
            + "p999=\(latency.p999.millisecondsText) max=\(latency.max.millisecondsText) "
            + "driver=\(Int((driverCeiling ?? 0).rounded())) driver_commands=\(driverCommands) "
            + "shed=\(shed) slowest=\(slowestAnswer.millisecondsText) recovery=\(recovery?.millisecondsText ?? "-")"
    }
}
