import Lifecycle
import Synchronization
import Telemetry
import Testing

@Suite("ServiceGroup")
struct ServiceGroupTests {
    /// What the services of one test did, in order.
    final class Journal: Sendable {
        private let lines = Mutex<[String]>([])
        let (started, startedSink) = AsyncStream<String>.makeStream()

        func record(_ line: String) {
            lines.withLock { $0.append(line) }
        }

        var entries: [String] { lines.withLock { $0 } }

        /// Waits until `count` services have started.
        func waitForStarts(_ count: Int) async {
            var seen = 0
            for await _ in started {
                seen += 1
                if seen == count { return }
            }
        }
    }

    /// Starts, then waits for its graceful shutdown request (or cancellation) and notes how it ended.
    struct PoliteService: Service, CustomStringConvertible {
        let description: String
        let journal: Journal

        func run() async {
            let shutdown = GracefulShutdown.current
            journal.startedSink.yield(description)
            await shutdown.wait()
            journal.record(shutdown.isRequested ? "stopped \(description)" : "cancelled \(description)")
        }
    }

    /// Ignores graceful shutdown; ends only when cancelled.
    struct StubbornService: Service, CustomStringConvertible {
        let description: String
        let journal: Journal

        func run() async {
            journal.startedSink.yield(description)
            let (never, _) = AsyncStream<Void>.makeStream()
            for await _ in never {}
            journal.record("cancelled \(description)")
        }
    }

    /// Fails as soon as it runs.
    struct FailingService: Service, CustomStringConvertible {
        struct Failure: Error, CustomStringConvertible {
            var description: String { "the disk is full" }
        }

        let description: String
        let journal: Journal

        func run() async throws {
            journal.startedSink.yield(description)
            journal.record("failed \(description)")
            throw Failure()
        }
    }

    @Test("the first signal stops the services one by one, the last started first")
    func stopsInReverseOrder() async throws {
        let journal = Journal()
        let (signals, signal) = AsyncStream<Int32>.makeStream()
        let group = ServiceGroup(
            services: ["a", "b", "c"].map { PoliteService(description: $0, journal: journal) },
            grace: .seconds(3600), signals: signals, logger: .disabled
        )
        async let run: Void = group.run()
        await journal.waitForStarts(3)
        signal.yield(15)
        try await run
        #expect(journal.entries == ["stopped c", "stopped b", "stopped a"])
    }

    @Test("a second signal, or the end of the grace period, cancels at once what still runs",
          arguments: [(signals: 2, grace: Duration.seconds(3600)), (signals: 1, grace: .zero)])
    func cancellation(signals count: Int, grace: Duration) async throws {
        let journal = Journal()
        let (signals, signal) = AsyncStream<Int32>.makeStream()
        let group = ServiceGroup(
            services: [PoliteService(description: "a", journal: journal),
                       StubbornService(description: "b", journal: journal)],
            grace: grace, signals: signals, logger: .disabled
        )
        async let run: Void = group.run()
        await journal.waitForStarts(2)
        for _ in 0..<count { signal.yield(2) }
        try await run
        // b ignored its request, so a was never asked: both were cancelled.
        #expect(Set(journal.entries) == ["cancelled a", "cancelled b"])
    }

    @Test("a failing service shuts the others down gracefully, in reverse order, and the group throws")
    func failureStopsTheOthers() async throws {
        let journal = Journal()
        let (signals, _) = AsyncStream<Int32>.makeStream()
        let group = ServiceGroup(
            services: [PoliteService(description: "a", journal: journal),
                       FailingService(description: "b", journal: journal),
                       PoliteService(description: "c", journal: journal)],
            grace: .seconds(3600), signals: signals, logger: .disabled
        )
        let error = await #expect(throws: ServiceGroupError.self) { try await group.run() }
        #expect(error?.failures == [.init(service: "b", error: "the disk is full")])
        #expect(error?.message == "b: the disk is full")
        #expect(journal.entries == ["failed b", "stopped c", "stopped a"])
    }

    @Test("a service that ends on its own shuts the others down, and the group ends without error")
    func serviceEndingStopsTheOthers() async throws {
        struct Brief: Service {
            func run() async {}
        }
        let journal = Journal()
        let (signals, _) = AsyncStream<Int32>.makeStream()
        let group = ServiceGroup(
            services: [PoliteService(description: "a", journal: journal), Brief(),
                       PoliteService(description: "c", journal: journal)],
            grace: .seconds(3600), signals: signals, logger: .disabled
        )
        try await group.run()
        #expect(journal.entries == ["stopped c", "stopped a"])
    }

    @Test("outside a group, the current request is never made")
    func currentOutsideAGroup() {
        #expect(!GracefulShutdown.current.isRequested)
    }
}
