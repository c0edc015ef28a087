/// What a run across a failover measured, from the load's answers: printed by the tests for the README.
public struct FailoverFigures: CustomStringConvertible, Sendable {
    /// Orders acknowledged (200 or 202).
    public var acknowledged: Int
    /// Answers that were 503 or no answer at all.
    public var refused: Int
    /// Acknowledged orders per second, over the whole run.
    public var ordersPerSecond: Double
    /// The 99th percentile of the time from sending an order to its answer, in milliseconds.
    public var p99Milliseconds: Double
    /// From the failover (or the primary's death) to the first order sent after it that ended confirmed.
    public var firstConfirmedAfter: Duration?

    /// Measures the answers of a load that ran for `duration`, with the failover at `failoverAt`.
    public init(_ answers: [OrderLoad.Answer], duration: Duration, failoverAt: Duration) {
        let acknowledged = answers.filter { $0.orderID != nil }
        self.acknowledged = acknowledged.count
        refused = answers.count - acknowledged.count
        ordersPerSecond = Double(acknowledged.count) / Self.seconds(duration)
        let latencies = answers.map { Self.seconds($0.answered - $0.sent) * 1000 }.sorted()
        p99Milliseconds = latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, latencies.count * 99 / 100)]
        firstConfirmedAfter = answers.filter { $0.sent >= failoverAt && $0.orderStatus == "confirmed" }
            .map(\.answered).min().map { $0 - failoverAt }
    }

    public var description: String {
        let first = firstConfirmedAfter.map { String(format1: Self.seconds($0)) + " s" } ?? "none"
        return "\(acknowledged) acknowledged, \(refused) refused (503 or no answer), "
            + "\(String(format1: ordersPerSecond)) orders/s, p99 \(String(format1: p99Milliseconds)) ms, "
            + "first confirmed order after the failover: \(first)"
    }

    /// The figures as cells of the README's table: orders/s, p99, first confirmed after, refused.
    public var tableCells: String {
        let first = firstConfirmedAfter.map { String(format1: Self.seconds($0)) + " s" } ?? "none"
        return "\(String(format1: ordersPerSecond)) | \(String(format1: p99Milliseconds)) ms | \(first) | "
            + "\(acknowledged) | \(refused)"
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

extension String {
    /// A number with one decimal.
    fileprivate init(format1 value: Double) {
        let tenths = Int((value * 10).rounded())
        self = "\(tenths / 10).\(abs(tenths % 10))"
    }
}
