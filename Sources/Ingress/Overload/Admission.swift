import HTTPServer
import Synchronization
import Telemetry

/// Decides at once whether the ingress takes a request or sheds it (`OverloadLimits`), first come, first
/// served: there is no queue, a request either gets a place or a `503` with `Retry-After`.
///
/// Counts shed requests by reason (`switchboard_http_shed_total`) and keeps the gauges of pending orders,
/// open event streams and the sampled backlog.
final class Admission: Sendable {
    /// How long after the last shed request `/health` still says `overloaded`.
    static let overloadedHold = Duration.seconds(2)

    let limits: OverloadLimits
    let pending: PendingOrders
    private let metrics: MetricsRegistry
    private let streams = Atomic<Int>(0)
    private let backlog = Atomic<Int>(0)
    private let origin = ContinuousClock.now
    /// When a request was last shed, in milliseconds since `origin`; -1 for never.
    private let lastShed = Atomic<Int>(-1)
    /// The `503` of each reason, made once: shedding must cost less than taking the request.
    private let responses: [ShedReason: HTTPResponse]

    /// Creates the admission of one ingress.
    init(limits: OverloadLimits, metrics: MetricsRegistry) {
        self.limits = limits
        self.pending = PendingOrders(limit: limits.maximumPendingOrders)
        self.metrics = metrics
        responses = Dictionary(uniqueKeysWithValues: ShedReason.allCases.map { reason in
            let detail = "\(reason.detail): retry after \(limits.retryAfterSeconds) s (\(reason.rawValue))"
            let problem = ProblemDetails(status: 503, type: "overloaded", title: "Overloaded", detail: detail,
                                         headers: [("Retry-After", String(limits.retryAfterSeconds))])
            return (reason, problem.response())
        })
        for reason in ShedReason.allCases {
            metrics.increment(Self.shedMetric, help: Self.shedHelp, labels: ["reason": reason.rawValue], by: 0)
        }
    }

    /// Sheds a new order before any work when every place is taken now (the server's gate, on its I/O
    /// thread); `nil` lets the order on to `admitOrder`, which takes its place or sheds it then.
    func shedEarly() -> ShedReason? {
        if backlog.load(ordering: .relaxed) > limits.maximumBacklog { return shed(.backlog) }
        return pending.current >= limits.maximumPendingOrders ? shed(.pendingOrders) : nil
    }

    /// Takes a place for a new order, or says why not.
    func admitOrder(_ orderID: String) -> ShedReason? {
        if backlog.load(ordering: .relaxed) > limits.maximumBacklog { return shed(.backlog) }
        return pending.take(orderID) ? nil : shed(.pendingOrders)
    }

    /// Takes a place for an event stream, or says why not; `endStream()` gives it back.
    func admitStream() -> ShedReason? {
        var seen = streams.load(ordering: .relaxed)
        while seen < limits.maximumEventStreams {
            let (exchanged, original) = streams.compareExchange(expected: seen, desired: seen + 1, ordering: .relaxed)
            if exchanged { return nil }
            seen = original
        }
        return shed(.eventStreams)
    }

    /// Gives back an event stream's place.
    func endStream() {
        streams.subtract(1, ordering: .relaxed)
    }

    /// Whether `/health` says `overloaded`: a new order would be shed now, or one was within `overloadedHold`.
    var isOverloaded: Bool {
        if pending.current >= limits.maximumPendingOrders || backlog.load(ordering: .relaxed) > limits.maximumBacklog {
            return true
        }
        let last = lastShed.load(ordering: .relaxed)
        return last >= 0 && Duration.milliseconds(elapsedMilliseconds - last) < Self.overloadedHold
    }

    /// Records the services' backlog, lets expired pending orders go and updates the gauges; called every
    /// `limits.sampleInterval`.
    /// - Parameter backlogSample: the streams' backlog, or `nil` on pub/sub (none to read).
    func sample(backlog backlogSample: Int?) {
        backlog.store(backlogSample ?? 0, ordering: .relaxed)
        let expired = pending.expire(before: .now - limits.pendingExpiry)
        if expired > 0 {
            metrics.increment("switchboard_ingress_pending_expired_total",
                              help: "Pending orders given up without a final event after the pending expiry.",
                              by: Double(expired))
        }
        metrics.set("switchboard_ingress_pending_orders",
                    help: "Orders accepted here whose final event has not passed.", to: Double(pending.current))
        metrics.set("switchboard_ingress_event_streams", help: "Open GET /orders/{id}/events streams.",
                    to: Double(streams.load(ordering: .relaxed)))
        if let backlogSample {
            metrics.set("switchboard_ingress_backlog", help: "Stream entries not yet read or acknowledged, sampled.",
                        to: Double(backlogSample))
        }
    }

    /// The `503` of a shed request.
    func response(_ reason: ShedReason) -> HTTPResponse {
        responses[reason]!
    }

    private static let shedMetric = "switchboard_http_shed_total"
    private static let shedHelp = "Requests answered 503 at once because the ingress is overloaded, by reason."

    private func shed(_ reason: ShedReason) -> ShedReason {
        lastShed.store(elapsedMilliseconds, ordering: .relaxed)
        metrics.increment(Self.shedMetric, help: Self.shedHelp, labels: ["reason": reason.rawValue])
        return reason
    }

    private var elapsedMilliseconds: Int {
        let elapsed = ContinuousClock.now - origin
        return Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
    }
}
