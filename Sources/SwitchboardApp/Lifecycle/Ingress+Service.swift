import Ingress
import Lifecycle

/// The HTTP ingress is a service of its process: it listens until its `ServiceGroup` requests a graceful
/// shutdown. (The conformance lives here, beside the other services' wiring, so `Ingress` keeps one entry
/// point, `run(until:ready:)`, which tests call with their own request.)
extension Ingress: Service, CustomStringConvertible {
    /// Listens until `GracefulShutdown.current` is requested.
    public func run() async throws {
        try await run(until: .current)
    }

    /// `ingress`.
    public var description: String { "ingress" }
}
