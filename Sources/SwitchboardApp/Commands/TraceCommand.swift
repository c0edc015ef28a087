import EventBus
import SystemReads
import Telemetry

/// `switchboard trace ORDER_ID`: the timeline of one order's chain from its trace log: each event,
/// which service sent it, what caused it, and the time since its cause.
struct TraceCommand {
    let application: Application
    let orderID: String

    func run() async throws(CommandFailure) -> String {
        try await application.requireBroker()
        let events: [CloudEvent]
        do {
            events = try await RedisSystemReader(client: application.makeRedisClient(logger: .disabled)).trace(orderID)
        } catch {
            throw CommandFailure(.unavailable, error.message)
        }
        guard !events.isEmpty else {
            throw CommandFailure(.dataError, "no events are recorded for order \(orderID) (its trace log is empty)")
        }
        return Self.render(events, orderID: orderID)
    }

    /// The timeline: a header, then one line per event in the order they were logged.
    static func render(_ events: [CloudEvent], orderID: String) -> String {
        let byID = Dictionary(events.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let total = events.last!.time.timeIntervalSince(events.first!.time)
        var lines = ["order \(orderID): \(events.count) events, \(milliseconds(total)) ms from first to last"]
        for (index, event) in events.enumerated() {
            let cause = event.causationID.flatMap { byID[$0] } ?? (index > 0 ? events[index - 1] : nil)
            let hop = cause.map { "+" + milliseconds(event.time.timeIntervalSince($0.time)) + " ms" } ?? "start"
            let source = event.source.hasPrefix("switchboard/") ? String(event.source.dropFirst(12)) : event.source
            let after = event.causationID.flatMap { byID[$0] }.map { "after \($0.type)" } ?? ""
            lines.append("  \(RFC3339.string(from: event.time))  \(hop.padding(to: 12))  "
                + "\(event.type.padding(to: 19))  \(source.padding(to: 14))  \(after)")
        }
        return lines.joined(separator: "\n")
    }

    private static func milliseconds(_ seconds: Double) -> String {
        Duration.milliseconds(Int64((seconds * 1000).rounded())).millisecondsText
    }
}
