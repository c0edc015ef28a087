import Lifecycle

/// A runner is a service of its process: it runs until its `ServiceGroup` requests a graceful shutdown.
extension ServiceRunner: Service, CustomStringConvertible {
    /// Applies the setup, then handles messages until `GracefulShutdown.current` is requested.
    public func run() async {
        await run(until: .current)
    }

    /// The service's name, e.g. `stock`.
    public var description: String { name }
}
