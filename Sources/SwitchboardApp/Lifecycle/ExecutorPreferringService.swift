import Lifecycle

/// Runs a service in a task that prefers `executor`: its work, and its child tasks', runs there rather
/// than on the global concurrent pool. `switchboard run` runs each service on the Redis event loop that
/// drives its connections, so a reply resumes the service on the thread that read it.
struct ExecutorPreferringService: Service, CustomStringConvertible {
    let service: any Service
    let executor: any TaskExecutor

    /// The wrapped service's name in logs.
    var description: String {
        ServiceGroup.name(of: service)
    }

    func run() async throws {
        try await withTaskExecutorPreference(executor) {
            try await service.run()
        }
    }
}
