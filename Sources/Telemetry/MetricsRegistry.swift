import Synchronization

/// Counters, gauges and histograms with labels, rendered in the Prometheus text exposition format.
///
/// Thread-safe; one registry per process, shared by everything that records into it.
public final class MetricsRegistry: Sendable {
    /// The default latency buckets, in seconds.
    public static let latencyBuckets: [Double] = [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
    ]

    private typealias Kind = MetricsSnapshot.Kind
    private typealias Family = MetricsSnapshot.Family
    private typealias Histogram = MetricsSnapshot.Histogram

    private let families = Mutex([String: Family]())

    /// Creates an empty registry.
    public init() {}

    /// Adds `amount` to a counter.
    public func increment(_ name: String, help: String, labels: [String: String] = [:], by amount: Double = 1) {
        families.withLock { families in
            families[name, default: Family(kind: .counter, help: help)].values[labels, default: 0] += amount
        }
    }

    /// Sets a gauge.
    public func set(_ name: String, help: String, labels: [String: String] = [:], to value: Double) {
        families.withLock { families in
            families[name, default: Family(kind: .gauge, help: help)].values[labels] = value
        }
    }

    /// Records one observation in a histogram.
    public func observe(
        _ name: String, help: String, labels: [String: String] = [:], value: Double,
        buckets: [Double] = MetricsRegistry.latencyBuckets
    ) {
        families.withLock { families in
            if families[name] == nil { families[name] = Family(kind: .histogram, help: help, buckets: buckets) }
            // Changed in place, so neither dictionary is copied and the labels are hashed once.
            let bounds = families[name]!.buckets
            Self.record(value, bounds: bounds, in: &families[name]!.histograms[
                labels, default: Histogram(counts: Array(repeating: 0, count: bounds.count))
            ])
        }
    }

    private static func record(_ value: Double, bounds: [Double], in histogram: inout Histogram) {
        for (index, bound) in bounds.enumerated() where value <= bound {
            histogram.counts[index] += 1
        }
        histogram.sum += value
        histogram.count += 1
    }

    /// The current value of a counter or gauge, for tests and reports.
    public func value(_ name: String, labels: [String: String] = [:]) -> Double? {
        families.withLock { $0[name]?.values[labels] }
    }

    /// A copy of everything recorded so far, to publish or merge.
    public func snapshot() -> MetricsSnapshot {
        MetricsSnapshot(families: families.withLock { $0 })
    }
}
