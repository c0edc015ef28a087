/// The contents of a `MetricsRegistry` at one moment: what a process publishes for others to show,
/// and what `render` turns into Prometheus text.
public struct MetricsSnapshot: Codable, Sendable, Equatable {
    enum Kind: String, Codable, Sendable { case counter, gauge, histogram }

    struct Family: Codable, Sendable, Equatable {
        var kind: Kind
        var help: String
        var buckets: [Double] = []
        var values: [[String: String]: Double] = [:]
        var histograms: [[String: String]: Histogram] = [:]
    }

    struct Histogram: Codable, Sendable, Equatable {
        var counts: [Int]
        var sum = 0.0
        var count = 0

        /// This histogram and `other`, of the same buckets, as one.
        func adding(_ other: Histogram) -> Histogram {
            Histogram(counts: zip(counts, other.counts).map { $0 + $1 }, sum: sum + other.sum,
                      count: count + other.count)
        }
    }

    var families: [String: Family]

    /// Where processes publish their snapshots: `switchboard:metrics:<instance>`.
    public static let keyPrefix = "switchboard:metrics:"

    /// The snapshots of several processes in the Prometheus text exposition format (version 0.0.4), one
    /// family each, every sample labelled with its process's `instance` where one is given.
    public static func render(_ snapshots: [(instance: String?, snapshot: MetricsSnapshot)]) -> String {
        var names = Set<String>()
        for entry in snapshots { names.formUnion(entry.snapshot.families.keys) }
        var text = ""
        for name in names.sorted() {
            guard let first = snapshots.lazy.compactMap({ $0.snapshot.families[name] }).first else { continue }
            text += "# HELP \(name) \(first.help)\n# TYPE \(name) \(first.kind.rawValue)\n"
            for (instance, snapshot) in snapshots {
                guard let family = snapshot.families[name] else { continue }
                func labelled(_ labels: [String: String]) -> [String: String] {
                    guard let instance else { return labels }
                    return labels.merging(["instance": instance]) { own, _ in own }
                }
                for labels in family.values.keys.sorted(by: order) {
                    text += "\(name)\(render(labelled(labels))) \(number(family.values[labels]!))\n"
                }
                for labels in family.histograms.keys.sorted(by: order) {
                    let histogram = family.histograms[labels]!
                    let base = labelled(labels)
                    for (index, bound) in family.buckets.enumerated() {
                        text += "\(name)_bucket\(render(base.merging(["le": number(bound)]) { $1 })) "
                            + "\(histogram.counts[index])\n"
                    }
                    text += "\(name)_bucket\(render(base.merging(["le": "+Inf"]) { $1 })) \(histogram.count)\n"
                    text += "\(name)_sum\(render(base)) \(number(histogram.sum))\n"
                    text += "\(name)_count\(render(base)) \(histogram.count)\n"
                }
            }
        }
        return text
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
