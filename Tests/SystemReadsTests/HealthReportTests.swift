import EventBus
import SystemReads
import Telemetry
import Testing

/// How `HealthReport.make` judges what a `SystemReader` says, without Redis.
@Suite("HealthReport judges Redis and the services' live instances")
struct HealthReportTests {
    /// A reader that answers from fixed values: Redis up with `instances`, or down.
    private struct FixedReader: SystemReader {
        var up = true
        var instances: [InstanceHeartbeat] = []

        func instances() async throws(EventBusError) -> [InstanceHeartbeat] { try checkUp(instances) }
        func metricsSnapshots() async throws(EventBusError) -> [(instance: String, snapshot: MetricsSnapshot)] {
            try checkUp([])
        }
        func trace(_ correlationID: String) async throws(EventBusError) -> [CloudEvent] { try checkUp([]) }
        func follow(_ correlationID: String) -> AsyncStream<CloudEvent> { AsyncStream { $0.finish() } }
        func ping() async throws(EventBusError) -> Duration { try checkUp(.milliseconds(2)) }

        private func checkUp<Value>(_ value: Value) throws(EventBusError) -> Value {
            guard up else { throw EventBusError(.unavailable, "connection refused") }
            return value
        }
    }

    private static func heartbeat(_ service: String, _ instance: String) -> InstanceHeartbeat {
        InstanceHeartbeat(service: service, instance: instance, host: "h", pid: 1, startedAt: "2026-01-01T00:00:00Z",
                          version: "test", transport: "pubsub")
    }

    @Test("Redis down: down, with the error and no services")
    func down() async {
        let report = await HealthReport.make(reader: FixedReader(up: false), required: HealthReport.requiredServices)
        #expect(report.status == .down)
        #expect(report.redis.status == "down")
        #expect(report.redis.error == "connection refused")
        #expect(report.services.isEmpty)
    }

    @Test("a required service without a live instance: degraded, naming it down; other services are listed too")
    func degraded() async {
        let live = [Self.heartbeat("order", "o-1"), Self.heartbeat("stock", "s-1"), Self.heartbeat("ingress", "i-1")]
        let report = await HealthReport.make(reader: FixedReader(instances: live),
                                             required: ["order", "stock", "payment"])
        #expect(report.status == .degraded)
        #expect(report.redis.latencyMilliseconds == 2)
        #expect(report.services["payment"]?.status == "down")
        #expect(report.services["payment"]?.instances.isEmpty == true)
        #expect(report.services["stock"]?.status == "up")
        #expect(report.services["ingress"]?.instances.map(\.instance) == ["i-1"])
    }

    @Test("every required service live: ok, each service's instances sorted by name")
    func ok() async {
        let live = [Self.heartbeat("order", "o-2"), Self.heartbeat("order", "o-1")]
        let report = await HealthReport.make(reader: FixedReader(instances: live), required: ["order"])
        #expect(report.status == .ok)
        #expect(report.services["order"]?.instances.map(\.instance) == ["o-1", "o-2"])
    }
}
