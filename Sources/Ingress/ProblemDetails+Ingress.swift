import EventBus
import HTTPServer

extension ProblemDetails {
    /// `503` with `Retry-After: 1`: the ingress cannot answer now, but may in a moment.
    /// - Parameter detail: why, and what to check.
    static func unavailable(_ detail: String) -> ProblemDetails {
        ProblemDetails(status: 503, type: "unavailable", title: "Service Unavailable", detail: detail,
                       headers: [("Retry-After", "1")])
    }

    /// `503`: the broker did not answer.
    static func unreachable(_ error: EventBusError) -> ProblemDetails {
        unavailable("Redis is unreachable: \(error.message)")
    }
}
