import Ingress

/// The HTTP ingress as a service of the process.
struct IngressService: Service {
    let name = "ingress"
    let ingress: Ingress

    func run() async throws {
        try await ingress.run()
    }
}
