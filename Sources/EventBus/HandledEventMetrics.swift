import Telemetry

/// What a service's runner records of every event it handles: `switchboard_events_handled_total` (by type,
/// service and outcome) and `switchboard_handler_duration_seconds` (by type and service), into series resolved
/// once per type the service subscribes to (`MetricsRegistry.Series`), so that an event hashes no label set.
/// An event of a type not subscribed by name (a pattern's) is recorded by name and labels, as the same series.
struct HandledEventMetrics: Sendable {
    /// How an event was handled.
    enum Outcome: String, Sendable {
        /// Its commit applied.
        case applied
        /// It changed nothing (a duplicate, or an event that does not concern the service's state).
        case ignored
    }

    /// The series of one event type.
    private struct TypeSeries: Sendable {
        var type: String
        var applied: MetricsRegistry.Series
        var ignored: MetricsRegistry.Series
        var duration: MetricsRegistry.Series
    }

    private static let handledName = "switchboard_events_handled_total"
    private static let handledHelp = "Events handled, by type and service."
    private static let durationName = "switchboard_handler_duration_seconds"
    private static let durationHelp = "Time to handle an event, by type and service."

    private let registry: MetricsRegistry
    private let service: String
    private let series: [TypeSeries]

    /// Resolves the series of each of `types` for `service`.
    init(registry: MetricsRegistry, service: String, types: [String]) {
        self.registry = registry
        self.service = service
        series = types.map { type in
            func handled(_ outcome: Outcome) -> MetricsRegistry.Series {
                registry.counter(Self.handledName, help: Self.handledHelp, labels: Self.labels(type, service, outcome))
            }
            return TypeSeries(type: type, applied: handled(.applied), ignored: handled(.ignored),
                              duration: registry.histogram(Self.durationName, help: Self.durationHelp,
                                                           labels: Self.labels(type, service, nil)))
        }
    }

    /// Counts an event of `type` handled with `outcome`, and how long it took.
    func handled(_ type: String, outcome: Outcome, duration: Duration) {
        guard let series = series.first(where: { $0.type == type }) else {
            registry.increment(Self.handledName, help: Self.handledHelp, labels: Self.labels(type, service, outcome))
            registry.observe(Self.durationName, help: Self.durationHelp, labels: Self.labels(type, service, nil),
                             value: duration.seconds)
            return
        }
        registry.increment(outcome == .applied ? series.applied : series.ignored)
        registry.observe(series.duration, value: duration.seconds)
    }

    private static func labels(_ type: String, _ service: String, _ outcome: Outcome?) -> [String: String] {
        var labels = ["type": type, "service": service]
        labels["outcome"] = outcome?.rawValue
        return labels
    }
}
