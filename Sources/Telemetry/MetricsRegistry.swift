import Synchronization

/// Counters, gauges and histograms with labels, rendered in the Prometheus text exposition format.
///
/// Thread-safe; one registry per process, shared by everything that records into it.
public final class MetricsRegistry: Sendable {
    /// The default latency buckets, in seconds.
    public static let latencyBuckets: [Double] = [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
    ]

    private enum Kind: String { case counter, gauge, histogram }

    private struct Family {
        var kind: Kind
        var help: String
        var buckets: [Double] = []
        var values: [[String: String]: Double] = [:]
        var histograms: [[String: String]: Histogram] = [:]
    }

    private struct Histogram {
        var counts: [Int]
        var sum = 0.0
        var count = 0
    }

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
            var family = families[name] ?? Family(kind: .histogram, help: help, buckets: buckets)
            var histogram = family.histograms[labels] ?? Histogram(counts: Array(repeating: 0, count: buckets.count))
            for (index, bound) in family.buckets.enumerated() where value <= bound {
                histogram.counts[index] += 1
            }
            histogram.sum += value
            histogram.count += 1
            family.histograms[labels] = histogram
            families[name] = family
        }
    }

    /// The current value of a counter or gauge, for tests and reports.
    public func value(_ name: String, labels: [String: String] = [:]) -> Double? {
        families.withLock { $0[name]?.values[labels] }
    }

    /// Everything in the Prometheus text exposition format (version 0.0.4).
    public func render() -> String {
        families.withLock { families in
            var text = ""
            for name in families.keys.sorted() {
                let family = families[name]!
                text += "# HELP \(name) \(family.help)\n# TYPE \(name) \(family.kind.rawValue)\n"
                for labels in family.values.keys.sorted(by: Self.order) {
                    text += "\(name)\(Self.render(labels)) \(Self.number(family.values[labels]!))\n"
                }
                for labels in family.histograms.keys.sorted(by: Self.order) {
                    let histogram = family.histograms[labels]!
                    for (index, bound) in family.buckets.enumerated() {
                        var bucketLabels = labels
                        bucketLabels["le"] = Self.number(bound)
                        text += "\(name)_bucket\(Self.render(bucketLabels)) \(histogram.counts[index])\n"
                    }
                    var infinite = labels
                    infinite["le"] = "+Inf"
                    text += "\(name)_bucket\(Self.render(infinite)) \(histogram.count)\n"
                    text += "\(name)_sum\(Self.render(labels)) \(Self.number(histogram.sum))\n"
                    text += "\(name)_count\(Self.render(labels)) \(histogram.count)\n"
                }
            }
            return text
        }
    }

    private static func order(_ lhs: [String: String], _ rhs: [String: String]) -> Bool {
        render(lhs) < render(rhs)
    }

    private static func render(_ labels: [String: String]) -> String {
        guard !labels.isEmpty else { return "" }
        let pairs = labels.keys.sorted().map { key in
            let value = labels[key]!.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"")
                .replacing("\n", with: "\\n")
            return "\(key)=\"\(value)\""
        }
        return "{" + pairs.joined(separator: ",") + "}"
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
