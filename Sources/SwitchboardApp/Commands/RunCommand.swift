import Lifecycle

/// `switchboard run [SERVICE…]`: runs services in this process until SIGINT or SIGTERM.
///
/// A service may carry a tag, `SERVICE-TAG` (`stock-2`), as the instance names of the systemd template
/// `switchboard@.service` do: `switchboard@stock-2` runs `switchboard run stock-2`, which runs `stock`.
struct RunCommand {
    let application: Application
    let requested: [String]

    /// The service a `run` argument names: `stock` for `stock` and for `stock-2`.
    static func service(named argument: String) -> String {
        String(argument.prefix { $0 != "-" })
    }

    func run() async throws(CommandFailure) {
        let known = ServiceFactory.serviceNames
        let named = requested.map(Self.service(named:))
        for (argument, name) in zip(requested, named) where !known.contains(name) {
            throw CommandFailure(.usage, "unknown service '\(argument)' (known: \(known.joined(separator: ", ")))")
        }
        let names = named.isEmpty ? known : known.filter(named.contains)
        let services = try ServiceFactory(application: application).services(named: names)
        try await application.requireBroker()
        application.logger.notice("switchboard running", metadata: [
            "services": names.joined(separator: ","), "transport": application.settings.transport.rawValue,
            "redis.url": "\(application.redisURL)", "instance": application.instanceName,
        ])
        let grace = Duration.seconds(application.settings.shutdownGraceSeconds)
        do {
            try await ServiceGroup(services: services, grace: grace, logger: application.logger).run()
        } catch {
            throw CommandFailure(.software, "a service failed: \(error.message)")
        }
    }
}
