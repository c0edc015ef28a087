import Synchronization

/// Latencies and outcomes of a benchmark run, recorded from many threads.
public final class LatencyRecorder: Sendable {
    private struct State {
        var nanoseconds: [UInt64] = []
        var errors: [String: Int] = [:]
        var shed = 0
        var slowest = Duration.zero
    }

    private let state = Mutex(State())

    /// Creates an empty recorder.
    public init() {}

    /// Records how long any request took to be answered, whatever the answer.
    public func answered(after latency: Duration) {
        state.withLock { $0.slowest = max($0.slowest, latency) }
    }

    /// Records one order the ingress shed (`503` with `Retry-After`).
    public func shed() {
        state.withLock { $0.shed += 1 }
    }

    /// How many orders were shed so far.
    public var shedCount: Int { state.withLock { $0.shed } }

    /// The longest any request took to be answered so far, shed and unfinished ones included.
    public var slowest: Duration { state.withLock { $0.slowest } }

    /// Records one order that completed after `latency`.
    public func record(_ latency: Duration) {
        let (seconds, attoseconds) = latency.components
        let nanoseconds = UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
        state.withLock { $0.nanoseconds.append(nanoseconds) }
    }

    /// Records one order that failed, by kind (e.g. `http 503`, `timeout`, `cancelled`).
    public func fail(_ kind: String) {
        state.withLock { $0.errors[kind, default: 0] += 1 }
    }

    /// How many orders completed so far.
    public var completed: Int { state.withLock { $0.nanoseconds.count } }

    /// The errors by kind so far.
    public var errors: [String: Int] { state.withLock { $0.errors } }

    /// The latency percentiles of what completed so far.
    public func summary() -> LatencySummary {
        var sorted = state.withLock { $0.nanoseconds }
        sorted.sort()
        func percentile(_ fraction: Double) -> Duration {
            guard !sorted.isEmpty else { return .zero }
            let index = min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)
            return .nanoseconds(Int64(sorted[max(0, index)]))
        }
        return LatencySummary(p50: percentile(0.5), p90: percentile(0.9), p99: percentile(0.99),
                              p999: percentile(0.999), max: sorted.last.map { .nanoseconds(Int64($0)) } ?? .zero)
    }
}

/// Latency percentiles.
public struct LatencySummary: Sendable, Equatable {
    public var p50: Duration
    public var p90: Duration
    public var p99: Duration
    public var p999: Duration
    public var max: Duration
}
