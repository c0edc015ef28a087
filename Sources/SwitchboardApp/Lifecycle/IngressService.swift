import EventBus
import Ingress

/// The HTTP ingress as a service of the process.
struct IngressService: Service {
    let name = "ingress"
    let ingress: Ingress

    func run(until shutdown: GracefulShutdown) async throws {
        try await ingress.run(until: shutdown)
    }
}
