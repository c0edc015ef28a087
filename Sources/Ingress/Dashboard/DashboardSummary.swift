import SagaEvents
import Telemetry

/// What `GET /dashboard/summary` answers: the figures the dashboard's flow panel draws, taken from the
/// same snapshots `GET /metrics` renders (every running process's), summed over processes. Counts only
/// grow while processes run; the page turns successive summaries into rates.
struct DashboardSummary: Encodable, Sendable {
    /// One service's handling figures.
    struct ServiceFigures: Encodable, Sendable {
        /// Events handled, every outcome (`switchboard_events_handled_total`).
        var handled = 0
        /// Events whose handling failed (`switchboard_events_failed_total`).
        var failed = 0
        /// Messages it sent to the dead-letter store (`switchboard_events_deadlettered_total`).
        var deadLettered = 0
        /// Handling time quantiles, in seconds (`switchboard_handler_duration_seconds`); absent before any.
        var latencySeconds: Latency?
    }

    /// Estimated quantiles of a duration.
    struct Latency: Encodable, Sendable {
        var p50: Double
        var p95: Double
        var p99: Double
    }

    /// Events of one type handled by one service: an edge of the flow.
    struct Edge: Encodable, Sendable {
        var type: String
        var service: String
        var handled: Int
    }

    /// Orders that ended, counted by the final events handled (the most any one service handled, so a
    /// stopped service does not hide them).
    struct Orders: Encodable, Sendable {
        var confirmed = 0
        var cancelled = 0
    }

    /// When the figures were read (RFC 3339).
    var time: String
    /// By service name; every required service is present, with zeros before it handled anything.
    var services: [String: ServiceFigures]
    /// Events handled by type and service, sorted by type then service.
    var edges: [Edge]
    /// Events published by the ingress, by type (`switchboard_events_published_total`).
    var published: [String: Int]
    var orders: Orders

    /// Sums the snapshots.
    /// - Parameters:
    ///   - snapshots: every process's metrics.
    ///   - services: the services always listed.
    ///   - time: the moment they were read.
    static func make(_ snapshots: [MetricsSnapshot], services required: [String], time: String) -> DashboardSummary {
        func totals(_ name: String, by labels: [String]) -> [[String: String]: Int] {
            var sums: [[String: String]: Double] = [:]
            for snapshot in snapshots {
                sums.merge(snapshot.totals(name, by: labels), uniquingKeysWith: +)
            }
            return sums.mapValues { Int($0) }
        }
        var services = Dictionary(uniqueKeysWithValues: required.map { ($0, ServiceFigures()) })
        let handled = totals("switchboard_events_handled_total", by: ["type", "service"])
        for (labels, count) in handled { services[labels["service"]!, default: ServiceFigures()].handled += count }
        for (labels, count) in totals("switchboard_events_failed_total", by: ["service"]) {
            services[labels["service"]!, default: ServiceFigures()].failed += count
        }
        for (labels, count) in totals("switchboard_events_deadlettered_total", by: ["service"]) {
            services[labels["service"]!, default: ServiceFigures()].deadLettered += count
        }
        var distributions: [String: MetricsSnapshot.Distribution] = [:]
        for snapshot in snapshots {
            for (labels, distribution) in snapshot.distributions("switchboard_handler_duration_seconds", by: ["service"]) {
                let service = labels["service"]!
                var merged = distributions[service] ?? MetricsSnapshot.Distribution(bounds: distribution.bounds)
                merged.add(bucketCounts: distribution.cumulativeCounts, count: distribution.count, sum: distribution.sum)
                distributions[service] = merged
            }
        }
        for (service, distribution) in distributions {
            guard let p50 = distribution.quantile(0.5), let p95 = distribution.quantile(0.95),
                  let p99 = distribution.quantile(0.99) else { continue }
            services[service, default: ServiceFigures()].latencySeconds = Latency(p50: p50, p95: p95, p99: p99)
        }
        let edges = handled.map { Edge(type: $0.key["type"]!, service: $0.key["service"]!, handled: $0.value) }
            .sorted { ($0.type, $0.service) < ($1.type, $1.service) }
        func ended(_ type: String) -> Int { edges.filter { $0.type == type }.map(\.handled).max() ?? 0 }
        let published = totals("switchboard_events_published_total", by: ["type"])
        return DashboardSummary(
            time: time, services: services, edges: edges,
            published: Dictionary(uniqueKeysWithValues: published.map { ($0.key["type"]!, $0.value) }),
            orders: Orders(confirmed: ended(EventTypes.orderConfirmed), cancelled: ended(EventTypes.orderCancelled))
        )
    }
}
