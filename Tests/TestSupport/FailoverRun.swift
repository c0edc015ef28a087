/// What became of the orders acknowledged across one disruption of the Redis deployment (a failover, a primary
/// killed, slots resharded) under an `OrderLoad`.
public struct FailoverRun: Sendable {
    /// Throughput, latency and recovery time.
    public var figures: FailoverFigures
    /// How many orders the ingress acknowledged (200 or 202).
    public var acknowledged: Int
    /// Acknowledged orders of which no record is left: lost with the old primary.
    public var lost: [String]
    /// Acknowledged orders recorded but neither confirmed nor cancelled in time.
    public var unfinished: [String]

    /// Collects what a run measured.
    public init(figures: FailoverFigures, acknowledged: Int, lost: [String], unfinished: [String]) {
        self.figures = figures
        self.acknowledged = acknowledged
        self.lost = lost
        self.unfinished = unfinished
    }
}

extension FailoverRun {
    /// Orders flow over `http` for `before`, then `disrupt` runs, then orders flow for `after`; then every
    /// acknowledged order is given time to end.
    /// - Parameters:
    ///   - finalStatuses: the status of each of these orders that has a record, once all are final or time ran
    ///     out (read from wherever the deployment keeps them now).
    /// - Returns: the figures, and which acknowledged orders were lost or did not end.
    public static func measure(
        http: HTTPClient, before: Duration = .seconds(3), after: Duration = .seconds(8),
        disrupt: () async throws -> Void, finalStatuses: ([String]) async throws -> [String: String]
    ) async throws -> FailoverRun {
        let load = OrderLoad()
        async let sending: Void = load.run(http: http)
        try await Task.sleep(for: before)
        let disruptedAt = load.elapsed
        do {
            try await disrupt()
        } catch {
            load.stop()
            await sending
            throw error
        }
        try await Task.sleep(for: after)
        load.stop()
        await sending
        let answers = load.all
        let acknowledged = answers.compactMap(\.orderID)
        let statuses = try await finalStatuses(acknowledged)
        return FailoverRun(
            figures: FailoverFigures(answers, duration: load.elapsed, failoverAt: disruptedAt),
            acknowledged: acknowledged.count,
            lost: acknowledged.filter { statuses[$0] == nil },
            unfinished: acknowledged.filter { statuses[$0] != nil && !["confirmed", "cancelled"].contains(statuses[$0]) }
        )
    }
}
