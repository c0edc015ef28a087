#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import EventBus
import Lifecycle

/// `switchboard tail [PATTERN]`: prints every event on channels matching PATTERN, one line each, until
/// SIGINT or SIGTERM. Colours the event types when standard output is a terminal.
struct TailCommand {
    let application: Application
    let pattern: String

    func run() async throws(CommandFailure) {
        try await application.requireBroker()
        let line = TailLine(colored: isatty(1) == 1)
        let messages = application.transport.watch(pattern: pattern)
        application.logger.notice("tailing events", metadata: [
            "pattern": pattern, "redis.url": "\(application.redisURL)",
        ])
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await message in messages {
                    Output.standard(line.render(message))
                }
            }
            group.addTask { _ = await ShutdownSignal.wait() }
            await group.next()
            group.cancelAll()
        }
    }
}
