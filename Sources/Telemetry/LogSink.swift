#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a `Logger` writes its lines.
public struct LogSink: Sendable {
    /// The line formats a sink can write.
    public enum Format: String, Sendable {
        case logfmt, json
    }

    private let writeRecord: @Sendable (LogRecord) -> Void

    /// Creates a sink from a function that takes each record.
    public init(_ write: @escaping @Sendable (LogRecord) -> Void) {
        self.writeRecord = write
    }

    /// Writes one record.
    public func write(_ record: LogRecord) { writeRecord(record) }

    /// Writes each record as one line on standard error, formatted and written off the logging thread
    /// in batches (`StandardErrorWriter`).
    public static func standardError(format: Format) -> LogSink {
        let writer = StandardErrorWriter.shared
        return LogSink { record in writer.write(record, format: format) }
    }

    /// Writes what `standardError(format:)` sinks have queued before returning, e.g. before printing
    /// something else on standard error that must come after the log lines. Exiting the process flushes
    /// on its own.
    public static func flushStandardError() {
        StandardErrorWriter.shared.flush()
    }

    /// Drops every record.
    public static var discard: LogSink { LogSink { _ in } }
}
