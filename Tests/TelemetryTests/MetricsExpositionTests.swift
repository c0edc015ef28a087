import Foundation
import Telemetry
import Testing

/// `GET /metrics`: the Prometheus text exposition format (0.0.4), and the snapshots of several processes
/// merged into one page.
@Suite("Metrics exposition")
struct MetricsExpositionTests {
    @Test("a histogram: cumulative buckets, +Inf equal to the count, the sum and the count, per label set")
    func histogramExposition() {
        let registry = MetricsRegistry()
        // Powers of two, so the sum is exact.
        for value in [0.000244140625, 0.0009765625, 0.00390625, 0.5, 100] {
            registry.observe("latency_seconds", help: "How long it took.", labels: ["service": "stock"], value: value,
                             buckets: [0.001, 0.01, 1])
        }
        registry.observe("latency_seconds", help: "How long it took.", labels: ["service": "order"], value: 0.5,
                         buckets: [0.001, 0.01, 1])
        #expect(MetricsSnapshot.render([(instance: nil, snapshot: registry.snapshot())]) == """
            # HELP latency_seconds How long it took.
            # TYPE latency_seconds histogram
            latency_seconds_bucket{le="0.001",service="order"} 0
            latency_seconds_bucket{le="0.01",service="order"} 0
            latency_seconds_bucket{le="1",service="order"} 1
            latency_seconds_bucket{le="+Inf",service="order"} 1
            latency_seconds_sum{service="order"} 0.5
            latency_seconds_count{service="order"} 1
            latency_seconds_bucket{le="0.001",service="stock"} 2
            latency_seconds_bucket{le="0.01",service="stock"} 3
            latency_seconds_bucket{le="1",service="stock"} 4
            latency_seconds_bucket{le="+Inf",service="stock"} 5
            latency_seconds_sum{service="stock"} 100.505126953125
            latency_seconds_count{service="stock"} 5

            """)
    }

    @Test("counters and gauges: one HELP and TYPE per family, label values escaped, whole numbers without a point")
    func countersAndGauges() {
        let registry = MetricsRegistry()
        registry.increment("events_total", help: "Events handled.", labels: ["type": "order.created"])
        registry.increment("events_total", help: "Events handled.", labels: ["type": "order.created"], by: 2)
        registry.increment("events_total", help: "Events handled.", labels: ["type": #"a "quoted" \ type"# + "\n"])
        registry.set("breaker_open", help: "1 when open.", to: 0.25)
        #expect(registry.value("events_total", labels: ["type": "order.created"]) == 3)
        #expect(MetricsSnapshot.render([(instance: nil, snapshot: registry.snapshot())]) == #"""
            # HELP breaker_open 1 when open.
            # TYPE breaker_open gauge
            breaker_open 0.25
            # HELP events_total Events handled.
            # TYPE events_total counter
            events_total{type="a \"quoted\" \\ type\n"} 1
            events_total{type="order.created"} 3

            """#)
    }

    @Test("snapshots of several processes, as published to Redis: one family each, every sample with its instance")
    func mergedAcrossProcesses() throws {
        let order = MetricsRegistry()
        order.increment("events_total", help: "Events handled.", labels: ["service": "order"], by: 7)
        order.observe("latency_seconds", help: "How long it took.", value: 0.002, buckets: [0.01])
        let payment = MetricsRegistry()
        payment.increment("events_total", help: "Events handled.", labels: ["service": "payment"], by: 4)
        payment.set("breaker_open", help: "1 when open.", labels: ["instance": "own"], to: 1)
        // What `MetricsPublisher` writes and the ingress reads back: the snapshot survives JSON.
        let published = try [order, payment].map { registry in
            try JSONDecoder().decode(MetricsSnapshot.self, from: JSONEncoder().encode(registry.snapshot()))
        }
        #expect(published == [order.snapshot(), payment.snapshot()])
        let page = MetricsSnapshot.render([(instance: "order-1", snapshot: published[0]),
                                           (instance: "payment-1", snapshot: published[1])])
        #expect(page == """
            # HELP breaker_open 1 when open.
            # TYPE breaker_open gauge
            breaker_open{instance="own"} 1
            # HELP events_total Events handled.
            # TYPE events_total counter
            events_total{instance="order-1",service="order"} 7
            events_total{instance="payment-1",service="payment"} 4
            # HELP latency_seconds How long it took.
            # TYPE latency_seconds histogram
            latency_seconds_bucket{instance="order-1",le="0.01"} 1
            latency_seconds_bucket{instance="order-1",le="+Inf"} 1
            latency_seconds_sum{instance="order-1"} 0.002
            latency_seconds_count{instance="order-1"} 1

            """)
    }
}
