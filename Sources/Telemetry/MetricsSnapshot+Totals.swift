extension MetricsSnapshot {
    /// The counter or gauge `name` summed over its samples, grouped by the values of `labels` (a sample
    /// missing one of them counts under `""`); empty when the family is not recorded.
    /// - Parameters:
    ///   - name: the family, e.g. `switchboard_events_handled_total`.
    ///   - labels: the label names to group by, e.g. `["service"]`.
    public func totals(_ name: String, by labels: [String]) -> [[String: String]: Double] {
        var totals: [[String: String]: Double] = [:]
        for (sample, value) in families[name]?.values ?? [:] {
            totals[Self.group(sample, by: labels), default: 0] += value
        }
        return totals
    }

    /// The histogram `name` with its samples merged, grouped by the values of `labels`.
    public func distributions(_ name: String, by labels: [String]) -> [[String: String]: Distribution] {
        guard let family = families[name] else { return [:] }
        var merged: [[String: String]: Distribution] = [:]
        for (sample, histogram) in family.histograms {
            let group = Self.group(sample, by: labels)
            var distribution = merged[group] ?? Distribution(bounds: family.buckets)
            distribution.add(bucketCounts: histogram.counts, count: histogram.count, sum: histogram.sum)
            merged[group] = distribution
        }
        return merged
    }

    private static func group(_ sample: [String: String], by labels: [String]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: labels.map { ($0, sample[$0] ?? "") })
    }

    /// Observations counted in buckets (cumulative, as Prometheus keeps them), mergeable across
    /// samples and processes, with quantiles estimated as Prometheus's `histogram_quantile` does.
    public struct Distribution: Sendable, Equatable {
        /// The buckets' upper bounds.
        public let bounds: [Double]
        /// How many observations were at most each bound.
        public private(set) var cumulativeCounts: [Int]
        /// How many observations there are.
        public private(set) var count = 0
        /// Their sum.
        public private(set) var sum = 0.0

        /// An empty distribution over `bounds`.
        public init(bounds: [Double]) {
            self.bounds = bounds
            self.cumulativeCounts = Array(repeating: 0, count: bounds.count)
        }

        /// Adds another histogram's counts over the same bounds (a histogram with other bounds is ignored).
        public mutating func add(bucketCounts: [Int], count: Int, sum: Double) {
            guard bucketCounts.count == bounds.count else { return }
            for index in bounds.indices { cumulativeCounts[index] += bucketCounts[index] }
            self.count += count
            self.sum += sum
        }

        /// The `q`-quantile (0…1), interpolated linearly inside its bucket; the highest bound when it
        /// lies beyond every bound; `nil` without observations.
        public func quantile(_ q: Double) -> Double? {
            guard count > 0 else { return nil }
            let rank = q * Double(count)
            var lowerBound = 0.0
            var below = 0
            for (index, bound) in bounds.enumerated() {
                let atMost = cumulativeCounts[index]
                if Double(atMost) >= rank {
                    let inBucket = atMost - below
                    guard inBucket > 0 else { return bound }
                    return lowerBound + (bound - lowerBound) * (rank - Double(below)) / Double(inBucket)
                }
                lowerBound = bound
                below = atMost
            }
            return bounds.last
        }
    }
}
