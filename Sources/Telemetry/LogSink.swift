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

    /// Writes each record as one line on standard error.
    public static func standardError(format: Format) -> LogSink {
        LogSink { record in
            let line = (format == .json ? record.json : record.logfmt) + "\n"
            // One write(2) per line keeps lines from concurrent threads whole.
            _ = line.utf8CString.withUnsafeBufferPointer { buffer in
                Glibc.write(2, buffer.baseAddress, buffer.count - 1)
            }
        }
    }

    /// Drops every record.
    public static var discard: LogSink { LogSink { _ in } }
}
