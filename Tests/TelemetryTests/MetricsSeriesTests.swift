import Telemetry
import Testing

/// `MetricsRegistry.Series`: a series resolved once shows in the exposition as the same series recorded by name.
@Suite("Metric series resolved once")
struct MetricsSeriesTests {
    static let help = "Events handled."
    static let latencyHelp = "How long it took."

    /// Records a counter and a histogram twice each: by name and labels into one registry, through series into
    /// the other (series of both kinds for every label set, some never recorded into).
    static func recordBothWays() -> (named: MetricsRegistry, resolved: MetricsRegistry) {
        let named = MetricsRegistry()
        let resolved = MetricsRegistry()
        let created = resolved.counter("events_total", help: help, labels: ["type": "order.created", "outcome": "a"])
        _ = resolved.counter("events_total", help: help, labels: ["type": "order.created", "outcome": "b"])
        let latency = resolved.histogram("latency_seconds", help: latencyHelp, labels: ["service": "stock"],
                                         buckets: [0.001, 1])
        _ = resolved.histogram("unused_seconds", help: latencyHelp, buckets: [1])
        for value in [0.0005, 0.5, 2] {
            named.increment("events_total", help: help, labels: ["type": "order.created", "outcome": "a"])
            named.observe("latency_seconds", help: latencyHelp, labels: ["service": "stock"], value: value,
                          buckets: [0.001, 1])
            resolved.increment(created)
            resolved.observe(latency, value: value)
        }
        named.increment("events_total", help: help, labels: ["type": "order.created", "outcome": "a"], by: 2)
        resolved.increment(created, by: 2)
        return (named, resolved)
    }

    @Test("counters and histograms recorded through series render exactly as recorded by name; unused ones not at all")
    func sameExposition() {
        let (named, resolved) = Self.recordBothWays()
        let expected = MetricsSnapshot.render([(instance: nil, snapshot: named.snapshot())])
        #expect(MetricsSnapshot.render([(instance: nil, snapshot: resolved.snapshot())]) == expected)
        #expect(resolved.snapshot() == named.snapshot())
        #expect(resolved.value("events_total", labels: ["type": "order.created", "outcome": "a"]) == 5)
        #expect(resolved.value("events_total", labels: ["type": "order.created", "outcome": "b"]) == nil)
    }

    @Test("a series and recordings by name of the same labels add up into one sample")
    func addUp() {
        let registry = MetricsRegistry()
        let series = registry.counter("events_total", help: Self.help, labels: ["type": "x"])
        registry.increment("events_total", help: Self.help, labels: ["type": "x"], by: 3)
        registry.increment(series)
        #expect(registry.value("events_total", labels: ["type": "x"]) == 4)
        let latency = registry.histogram("latency_seconds", help: Self.latencyHelp, buckets: [1])
        registry.observe("latency_seconds", help: Self.latencyHelp, value: 0.5, buckets: [1])
        registry.observe(latency, value: 3)
        #expect(MetricsSnapshot.render([(instance: nil, snapshot: registry.snapshot())]) == """
            # HELP events_total Events handled.
            # TYPE events_total counter
            events_total{type="x"} 4
            # HELP latency_seconds How long it took.
            # TYPE latency_seconds histogram
            latency_seconds_bucket{le="1"} 1
            latency_seconds_bucket{le="+Inf"} 2
            latency_seconds_sum 3.5
            latency_seconds_count 2

            """)
    }

    @Test("resolving the same series twice gives one series")
    func resolvedOnce() {
        let registry = MetricsRegistry()
        let first = registry.counter("events_total", help: Self.help, labels: ["type": "x"])
        let second = registry.counter("events_total", help: Self.help, labels: ["type": "x"])
        registry.increment(first)
        registry.increment(second)
        #expect(registry.value("events_total", labels: ["type": "x"]) == 2)
    }
}
