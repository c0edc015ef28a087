/// `switchboard run [SERVICE…]`: runs services in this process until SIGINT or SIGTERM.
struct RunCommand {
    let application: Application
    let requested: [String]

    func run() async throws(CommandFailure) {
        let known = ServiceFactory.serviceNames
        for name in requested where !known.contains(name) {
            throw CommandFailure(.usage, "unknown service '\(name)' (known: \(known.joined(separator: ", ")))")
        }
        let names = requested.isEmpty ? known : known.filter(requested.contains)
        let services = try ServiceFactory(application: application).services(named: names)
        try await application.requireBroker()
        application.logger.notice("switchboard running", metadata: [
            "services": names.joined(separator: ","), "transport": application.settings.transport.rawValue,
            "redis.url": "\(application.redisURL)", "instance": application.instanceName,
        ])
        let grace = Duration.seconds(application.settings.shutdownGraceSeconds)
        let failures = await ServiceGroup(services: services, grace: grace, logger: application.logger).run()
        guard failures.isEmpty else {
            throw CommandFailure(.software, "a service failed: \(failures.joined(separator: "; "))")
        }
    }
}
