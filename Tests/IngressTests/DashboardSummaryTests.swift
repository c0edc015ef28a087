@testable import Ingress
import Telemetry
import Testing

@Suite("The dashboard's summary is the metrics of every process, summed")
struct DashboardSummaryTests {
    private static func handled(_ registry: MetricsRegistry, _ type: String, by service: String, times: Int,
                                outcome: String = "applied") {
        for _ in 0..<times {
            registry.increment("switchboard_events_handled_total", help: "h",
                               labels: ["type": type, "service": service, "outcome": outcome])
        }
    }

    @Test("counts per service and per edge, summed over processes and outcomes; orders by their final events")
    func sums() {
        let first = MetricsRegistry()
        let second = MetricsRegistry()
        Self.handled(first, "order.created", by: "stock", times: 3)
        Self.handled(second, "order.created", by: "stock", times: 2, outcome: "ignored")
        Self.handled(first, "order.confirmed", by: "stock", times: 4)
        Self.handled(second, "order.confirmed", by: "notification", times: 3)
        Self.handled(first, "order.cancelled", by: "payment", times: 1)
        first.increment("switchboard_events_deadlettered_total", help: "d",
                        labels: ["type": "order.created", "service": "order"])
        second.increment("switchboard_events_failed_total", help: "f",
                         labels: ["type": "order.created", "service": "order"], by: 2)
        first.increment("switchboard_events_published_total", help: "p",
                        labels: ["type": "order.created", "service": "ingress"], by: 5)
        let summary = DashboardSummary.make([first.snapshot(), second.snapshot()], services: ["order", "stock"],
                                            time: "t")
        #expect(summary.services["stock"]?.handled == 9)
        #expect(summary.services["order"]?.handled == 0)
        #expect(summary.services["order"]?.deadLettered == 1)
        #expect(summary.services["order"]?.failed == 2)
        #expect(summary.services["notification"]?.handled == 3)
        #expect(summary.edges.map { "\($0.type)>\($0.service)=\($0.handled)" } == [
            "order.cancelled>payment=1", "order.confirmed>notification=3", "order.confirmed>stock=4",
            "order.created>stock=5",
        ])
        #expect(summary.orders.confirmed == 4)
        #expect(summary.orders.cancelled == 1)
        #expect(summary.published == ["order.created": 5])
    }

    @Test("latency quantiles are interpolated inside the bucket, as histogram_quantile does")
    func quantiles() {
        let first = MetricsRegistry()
        let second = MetricsRegistry()
        for _ in 0..<50 {
            first.observe("switchboard_handler_duration_seconds", help: "d", labels: ["type": "a", "service": "order"],
                          value: 0.003)
            second.observe("switchboard_handler_duration_seconds", help: "d", labels: ["type": "b", "service": "order"],
                           value: 0.003)
        }
        let summary = DashboardSummary.make([first.snapshot(), second.snapshot()], services: ["order"], time: "t")
        let latency = summary.services["order"]?.latencySeconds
        // All 100 in the bucket (0.0025, 0.005]: the median is half-way into it.
        #expect(abs((latency?.p50 ?? 0) - 0.00375) < 1e-9)
        #expect(abs((latency?.p99 ?? 0) - (0.0025 + 0.0025 * 0.99)) < 1e-9)
        #expect(summary.services["stock"] == nil)
    }

    @Test("no observation, no latency; beyond every bucket, the highest bound")
    func edges() {
        var distribution = MetricsSnapshot.Distribution(bounds: [1, 2])
        #expect(distribution.quantile(0.5) == nil)
        distribution.add(bucketCounts: [0, 0], count: 3, sum: 30)
        #expect(distribution.quantile(0.5) == 2)
    }
}
