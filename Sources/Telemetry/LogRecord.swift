#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One log line before it is formatted.
public struct LogRecord: Sendable {
    /// When the line was logged.
    public var time: Date
    /// How severe it is.
    public var level: Logger.Level
    /// The component that logged it.
    public var label: String
    /// What happened.
    public var message: String
    /// Structured fields with dotted keys.
    public var metadata: Logger.Metadata

    /// The line in logfmt: `time=… level=info logger=… msg="…" key=value…`, keys sorted.
    public var logfmt: String {
        var line: [UInt8] = []
        appendLogfmt(to: &line)
        return String(decoding: line, as: UTF8.self)
    }

    /// The line as one JSON object.
    public var json: String {
        var fields: [String: String] = metadata
        fields["time"] = RFC3339.string(from: time)
        fields["level"] = level.description
        fields["logger"] = label
        fields["msg"] = message
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(fields) else { return logfmt }
        return String(decoding: data, as: UTF8.self)
    }
}
