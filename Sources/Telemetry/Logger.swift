#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A structured logger shaped like swift-log's: a value with a label, a level and metadata.
///
/// Libraries take a `Logger` from their caller and never make their own; the executable decides where
/// lines go and in which format. Messages are `@autoclosure`s, so a line below the level costs nothing.
public struct Logger: Sendable {
    /// How severe a line is. Lines below the logger's `logLevel` are dropped.
    public enum Level: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
        case trace, debug, info, notice, warning, error, critical

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }

        public var description: String {
            switch self {
            case .trace: "trace"
            case .debug: "debug"
            case .info: "info"
            case .notice: "notice"
            case .warning: "warning"
            case .error: "error"
            case .critical: "critical"
            }
        }

        /// Parses a level name such as `info` or `warning`.
        public init?(name: String) {
            guard let level = Level.allCases.first(where: { $0.description == name.lowercased() }) else {
                return nil
            }
            self = level
        }
    }

    /// Metadata with dotted keys, e.g. `["order.id": "o-1"]`.
    public typealias Metadata = [String: String]

    /// Where lines go. The default writes logfmt to standard error.
    public var sink: LogSink
    /// The component that logs, e.g. `switchboard.stock`.
    public var label: String
    /// The lowest level that is written.
    public var logLevel: Level
    /// Metadata added to every line of this logger.
    public var metadata: Metadata

    /// Creates a logger.
    /// - Parameters:
    ///   - label: the component that logs.
    ///   - logLevel: the lowest level that is written.
    ///   - sink: where lines go.
    public init(label: String, logLevel: Level = .info, sink: LogSink = .standardError(format: .logfmt)) {
        self.label = label
        self.logLevel = logLevel
        self.sink = sink
        self.metadata = [:]
    }

    /// A logger that writes nothing, for tests and libraries used without logging.
    public static var disabled: Logger { Logger(label: "disabled", logLevel: .critical, sink: .discard) }

    /// Returns a copy with another label and extra metadata.
    public func child(label: String, metadata extra: Metadata = [:]) -> Logger {
        var copy = self
        copy.label = label
        copy.metadata.merge(extra) { _, new in new }
        return copy
    }

    /// Writes a line at `level` when the level is enabled.
    public func log(
        _ level: Level, _ message: @autoclosure () -> String, metadata extra: @autoclosure () -> Metadata = [:]
    ) {
        guard level >= logLevel else { return }
        // A logger without metadata of its own (the usual case) passes the line's on, merging nothing.
        let merged = metadata.isEmpty ? extra() : metadata.merging(extra()) { _, new in new }
        sink.write(LogRecord(time: Date(), level: level, label: label, message: message(), metadata: merged))
    }

    /// Logs at `trace`.
    public func trace(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata = [:]) {
        log(.trace, message(), metadata: metadata())
    }

    /// Logs at `debug`.
    public func debug(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata = [:]) {
        log(.debug, message(), metadata: metadata())
    }

    /// Logs at `info`.
    public func info(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata = [:]) {
        log(.info, message(), metadata: metadata())
    }

    /// Logs at `notice`.
    public func notice(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata = [:]) {
        log(.notice, message(), metadata: metadata())
    }

    /// Logs at `warning`.
    public func warning(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata = [:]) {
        log(.warning, message(), metadata: metadata())
    }

    /// Logs at `error`.
    public func error(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata = [:]) {
        log(.error, message(), metadata: metadata())
    }
}
