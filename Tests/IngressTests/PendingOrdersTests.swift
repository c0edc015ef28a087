@testable import Ingress
import Telemetry
import Testing

/// `PendingOrders` and `Admission`: the places of orders, taken and given back without I/O.
@Suite("PendingOrders")
struct PendingOrdersTests {
    @Test("places are taken up to the limit and given back once per order, by its end or by expiry")
    func placesAreBounded() {
        let pending = PendingOrders(limit: 2)
        #expect(pending.take("a"))
        #expect(pending.take("b"))
        #expect(!pending.take("c"))
        #expect(pending.current == 2)

        pending.end("a")
        pending.end("a")  // a second end of the same order frees nothing more
        pending.end("x")  // nor does the end of an order taken elsewhere
        #expect(pending.current == 1)
        #expect(pending.take("c"))

        #expect(pending.expire(before: .now + .seconds(1)) == 2)
        #expect(pending.current == 0)
        pending.end("b")
        #expect(pending.current == 0)
    }

    @Test("a full ingress sheds new orders, counts them by reason and says it is overloaded until a place is free")
    func admissionSheds() {
        let metrics = MetricsRegistry()
        let limits = OverloadLimits(maximumPendingOrders: 1, maximumEventStreams: 1)
        let admission = Admission(limits: limits, metrics: metrics)
        #expect(!admission.isOverloaded)
        #expect(admission.admitOrder("a") == nil)
        #expect(admission.shedEarly() == .pendingOrders)
        #expect(admission.admitOrder("b") == .pendingOrders)
        #expect(admission.isOverloaded)
        #expect(metrics.value("switchboard_http_shed_total", labels: ["reason": "pending-orders"]) == 2)

        #expect(admission.admitStream() == nil)
        #expect(admission.admitStream() == .eventStreams)
        admission.endStream()
        #expect(admission.admitStream() == nil)

        admission.sample(backlog: 10_000)
        admission.pending.end("a")
        #expect(admission.admitOrder("c") == .backlog)
        admission.sample(backlog: 0)
        #expect(admission.admitOrder("c") == nil)

        let response = admission.response(.backlog)
        #expect(response.status == 503)
        #expect(response.headers.contains { $0.name == "Retry-After" && $0.value == "1" })
    }
}
