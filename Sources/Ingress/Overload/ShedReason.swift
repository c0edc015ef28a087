/// Why the ingress turned a request away with `503`: the `reason` label of
/// `switchboard_http_shed_total` and the end of the problem's `detail`.
enum ShedReason: String, Sendable, CaseIterable {
    /// `OverloadLimits.maximumPendingOrders` orders are pending.
    case pendingOrders = "pending-orders"
    /// The services' backlog on streams passed `OverloadLimits.maximumBacklog`.
    case backlog
    /// `OverloadLimits.maximumEventStreams` event streams are open.
    case eventStreams = "event-streams"

    /// What the client is told.
    var detail: String {
        switch self {
        case .pendingOrders: "too many orders are in progress at this ingress"
        case .backlog: "the services are behind on the orders they already have"
        case .eventStreams: "too many event streams are open at this ingress"
        }
    }
}
