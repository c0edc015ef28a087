import EventBus

/// `switchboard run [SERVICE…]`: runs services in this process until SIGINT or SIGTERM.
struct RunCommand {
    /// The services a process can run, by name, and how each is built.
    static let catalog: KeyValuePairs<String, @Sendable (Application) -> any Service> = [:]

    let application: Application
    let requested: [String]

    func run() async throws(CommandFailure) {
        let known = Self.catalog.map(\.key)
        for name in requested where !known.contains(name) {
            let list = known.isEmpty ? "none is built yet" : known.joined(separator: ", ")
            throw CommandFailure(.usage, "unknown service '\(name)' (known: \(list))")
        }
        try await application.requireBroker()
        let names = requested.isEmpty ? known : requested
        let services = Self.catalog.filter { names.contains($0.key) }.map { $0.value(application) }
        application.logger.notice("switchboard running", metadata: [
            "services": names.joined(separator: ","), "transport": application.transport.name,
            "redis.url": "\(application.redisURL)",
        ])
        do {
            try await ServiceGroup(services: services, logger: application.logger).run()
        } catch {
            throw CommandFailure(.software, "a service failed: \(error)")
        }
    }
}
