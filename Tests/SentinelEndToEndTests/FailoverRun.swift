/// What became of the orders acknowledged across one failover (`SentinelSystem.measure`).
struct FailoverRun {
    /// Throughput, latency and recovery time.
    var figures: FailoverFigures
    /// How many orders the ingress acknowledged (200 or 202).
    var acknowledged: Int
    /// Acknowledged orders of which the primary has no record: lost with the old primary.
    var lost: [String]
    /// Acknowledged orders recorded but neither confirmed nor cancelled in time.
    var unfinished: [String]
}
