import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGINT and SIGTERM, the requests to shut down.
public enum ShutdownSignal {
    /// The numbers of SIGINT and SIGTERM as they arrive, until the iteration ends.
    ///
    /// The default actions of both signals are turned off, so the process ends by returning from `main`,
    /// after the caller has shut down what it runs.
    public static func signals() -> AsyncStream<Int32> {
        let (signals, continuation) = AsyncStream<Int32>.makeStream()
        let sources = SignalSources([SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        })
        continuation.onTermination = { _ in sources.cancel() }
        return signals
    }

    /// Suspends until SIGINT or SIGTERM arrives, and returns its number (SIGTERM when cancelled).
    public static func wait() async -> Int32 {
        for await number in signals() {
            return number
        }
        return SIGTERM
    }
}

/// The dispatch sources of `ShutdownSignal.signals()`, cancelled when its stream ends. Unchecked: the
/// sources are only cancelled, once, and `DispatchSource.cancel` may be called from any thread.
private final class SignalSources: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]

    init(_ sources: [any DispatchSourceSignal]) {
        self.sources = sources
    }

    func cancel() {
        sources.forEach { $0.cancel() }
    }
}
