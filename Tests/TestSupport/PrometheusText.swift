/// A Prometheus text exposition, read just well enough to find samples by name and labels.
public struct PrometheusText: Sendable {
    /// One sample line: `name{label="value",…} number`.
    public struct Sample: Sendable {
        public var name: String
        public var labels: [String: String]
        public var value: Double
    }

    public let samples: [Sample]
    /// The `# TYPE` of each metric.
    public let types: [String: String]

    /// Reads `text`, a `GET /metrics` body.
    public init(_ text: String) {
        var samples: [Sample] = []
        var types: [String: String] = [:]
        for line in text.split(separator: "\n").map(String.init) {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                if parts.count == 4 { types[String(parts[2])] = String(parts[3]) }
                continue
            }
            guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "),
                  let value = Double(line[line.index(after: space)...])
            else { continue }
            let series = line[..<space]
            guard let brace = series.firstIndex(of: "{") else {
                samples.append(Sample(name: String(series), labels: [:], value: value))
                continue
            }
            var labels: [String: String] = [:]
            // Label values here hold no escaped quotes or commas.
            for pair in series[series.index(after: brace)...].dropLast().split(separator: ",") {
                guard let equals = pair.firstIndex(of: "=") else { continue }
                labels[String(pair[..<equals])] = String(pair[pair.index(after: equals)...].dropFirst().dropLast())
            }
            samples.append(Sample(name: String(series[..<brace]), labels: labels, value: value))
        }
        self.samples = samples
        self.types = types
    }

    /// The sum of the samples of `name` whose labels include `labels` (others, such as `instance`, may vary).
    public func total(_ name: String, _ labels: [String: String]) -> Double {
        samples.filter { sample in
            sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value }
        }.reduce(0) { $0 + $1.value }
    }
}
