import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Waits for SIGINT or SIGTERM, the requests to shut down gracefully.
public enum ShutdownSignal {
    /// Suspends until SIGINT or SIGTERM arrives, and returns its number.
    ///
    /// The default actions of both signals are turned off while waiting, so the process ends by returning
    /// from `main`, after the caller has shut down what it runs.
    public static func wait() async -> Int32 {
        let (signals, continuation) = AsyncStream<Int32>.makeStream()
        let sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        for await number in signals {
            return number
        }
        return SIGTERM
    }
}
