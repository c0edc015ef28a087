/// How much work the ingress takes on before it sheds load (`docs/http.md`, "Overload").
///
/// Beyond a limit, `POST /orders` and `GET /orders/{id}/events` answer `503` with `Retry-After` at once,
/// publishing nothing. The defaults come from `make bench-overload` on 2 cores (README, "Overload"): the
/// rule is "twice the orders in flight that reach the capacity": 64 orders in flight already complete about
/// 1,000 orders/s, so 128 (what the system completes in an eighth of a second) leaves room for bursts while
/// waits stay short; more only lengthen them (at 256 in flight the same machine completed 20% fewer
/// orders/s, each taking 5× longer).
public struct OverloadLimits: Sendable, Equatable {
    /// Orders this ingress accepted whose `order.confirmed` or `order.cancelled` it has not seen yet,
    /// including those still being accepted and those a `Prefer: wait` request waits for.
    public var maximumPendingOrders: Int
    /// `GET /orders/{id}/events` streams open at once; each holds a Redis connection.
    public var maximumEventStreams: Int
    /// On streams: entries the consumer groups have not read (`lag`) or not acknowledged (`pending`), summed
    /// over every event stream, beyond which new orders are shed; sampled every `sampleInterval`.
    public var maximumBacklog: Int
    /// How long a pending order holds its place without a final event before it is given up as lost.
    public var pendingExpiry: Duration
    /// The `Retry-After` of a shed request, in seconds.
    public var retryAfterSeconds: Int
    /// How often the backlog is sampled and expired pending orders are let go.
    public var sampleInterval: Duration

    /// Creates limits; the defaults are the measured ones.
    public init(
        maximumPendingOrders: Int = 128, maximumEventStreams: Int = 256, maximumBacklog: Int = 5_000,
        pendingExpiry: Duration = .seconds(30), retryAfterSeconds: Int = 1,
        sampleInterval: Duration = .milliseconds(500)
    ) {
        self.maximumPendingOrders = maximumPendingOrders
        self.maximumEventStreams = maximumEventStreams
        self.maximumBacklog = maximumBacklog
        self.pendingExpiry = pendingExpiry
        self.retryAfterSeconds = retryAfterSeconds
        self.sampleInterval = sampleInterval
    }
}
