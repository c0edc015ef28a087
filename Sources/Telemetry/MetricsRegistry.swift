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

    /// One series of a counter or a histogram, resolved once by name and labels (`counter(_:help:labels:)`,
    /// `histogram(_:help:labels:buckets:)`), so that recording into it (`increment(_:by:)`, `observe(_:value:)`)
    /// hashes neither: for a series recorded at every event. It shows in the exposition as the same series
    /// recorded by name and labels would, adding up with it, from its first recording on.
    public struct Series: Sendable {
        fileprivate let index: Int
        fileprivate let registry: ObjectIdentifier
    }

    /// A resolved series and what was recorded into it: nothing yet (then it is not shown), a counter's
    /// total, or a histogram.
    private struct Slot {
        var name: String
        var help: String
        var labels: [String: String]
        var buckets: [Double]
        var total: Double?
        var histogram: Histogram?

        /// Adds what was recorded into the family of the same name in `families`, creating it as it would be
        /// created by the first recording by name.
        func merge(into families: inout [String: Family]) {
            if let total {
                families[name, default: Family(kind: .counter, help: help)].values[labels, default: 0] += total
            }
            if let histogram {
                let merged = families[name]?.histograms[labels].map { $0.adding(histogram) } ?? histogram
                let family = Family(kind: .histogram, help: help, buckets: buckets)
                families[name, default: family].histograms[labels] = merged
            }
        }
    }

    private struct SlotKey: Hashable {
        var name: String
        var labels: [String: String]
        var isHistogram: Bool
    }

    private struct State {
        var families: [String: Family] = [:]
        var slots: [Slot] = []
        var slotIndexes: [SlotKey: Int] = [:]
    }

    private let state = Mutex(State())

    /// Creates an empty registry.
    public init() {}

    /// Adds `amount` to a counter.
    public func increment(_ name: String, help: String, labels: [String: String] = [:], by amount: Double = 1) {
        state.withLock { state in
            state.families[name, default: Family(kind: .counter, help: help)].values[labels, default: 0] += amount
        }
    }

    /// The series `labels` of the counter `name`, to `increment(_:by:)` without naming it again.
    public func counter(_ name: String, help: String, labels: [String: String] = [:]) -> Series {
        resolve(Slot(name: name, help: help, labels: labels, buckets: []), isHistogram: false)
    }

    /// Adds `amount` to a counter's series.
    public func increment(_ series: Series, by amount: Double = 1) {
        precondition(series.registry == ObjectIdentifier(self), "a series of another registry")
        state.withLock { state in
            state.slots[series.index].total = (state.slots[series.index].total ?? 0) + amount
        }
    }

    /// The series `labels` of the histogram `name`, to `observe(_:value:)` without naming it again.
    public func histogram(
        _ name: String, help: String, labels: [String: String] = [:], buckets: [Double] = MetricsRegistry.latencyBuckets
    ) -> Series {
        resolve(Slot(name: name, help: help, labels: labels, buckets: buckets), isHistogram: true)
    }

    /// Records one observation in a histogram's series.
    public func observe(_ series: Series, value: Double) {
        precondition(series.registry == ObjectIdentifier(self), "a series of another registry")
        state.withLock { state in
            let bounds = state.slots[series.index].buckets
            if state.slots[series.index].histogram == nil {
                state.slots[series.index].histogram = Histogram(counts: Array(repeating: 0, count: bounds.count))
            }
            Self.record(value, bounds: bounds, in: &state.slots[series.index].histogram!)
        }
    }

    private func resolve(_ slot: Slot, isHistogram: Bool) -> Series {
        let key = SlotKey(name: slot.name, labels: slot.labels, isHistogram: isHistogram)
        let index = state.withLock { state in
            if let index = state.slotIndexes[key] { return index }
            state.slots.append(slot)
            state.slotIndexes[key] = state.slots.count - 1
            return state.slots.count - 1
        }
        return Series(index: index, registry: ObjectIdentifier(self))
    }

    /// Sets a gauge.
    public func set(_ name: String, help: String, labels: [String: String] = [:], to value: Double) {
        state.withLock { state in
            state.families[name, default: Family(kind: .gauge, help: help)].values[labels] = value
        }
    }

    /// Records one observation in a histogram.
    public func observe(
        _ name: String, help: String, labels: [String: String] = [:], value: Double,
        buckets: [Double] = MetricsRegistry.latencyBuckets
    ) {
        state.withLock { state in
            if state.families[name] == nil {
                state.families[name] = Family(kind: .histogram, help: help, buckets: buckets)
            }
            // Changed in place, so neither dictionary is copied and the labels are hashed once.
            let bounds = state.families[name]!.buckets
            Self.record(value, bounds: bounds, in: &state.families[name]!.histograms[
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
        state.withLock { state in
            let named = state.families[name]?.values[labels]
            let resolved = state.slotIndexes[SlotKey(name: name, labels: labels, isHistogram: false)]
                .flatMap { state.slots[$0].total }
            guard let resolved else { return named }
            return (named ?? 0) + resolved
        }
    }

    /// A copy of everything recorded so far, to publish or merge.
    public func snapshot() -> MetricsSnapshot {
        MetricsSnapshot(families: state.withLock { state in
            var families = state.families
            for slot in state.slots {
                slot.merge(into: &families)
            }
            return families
        })
    }
}
