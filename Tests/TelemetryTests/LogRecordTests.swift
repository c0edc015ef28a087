import Foundation
import Synchronization
@testable import Telemetry
import Testing

/// The two log line formats (`log.format`): logfmt and JSON, each with its RFC 3339 time.
@Suite("Log lines")
struct LogRecordTests {
    /// 2025-12-01T00:00:00.123Z.
    private static let time = Date(timeIntervalSince1970: 1_764_547_200.123)

    private static let record = LogRecord(
        time: time, level: .warning, label: "switchboard.payment", message: #"charge "o 1" failed"# + "\nretrying",
        metadata: ["order.id": "o-1", "error": "a=b", "empty": "", "path": #"C:\tmp"#]
    )

    @Test("logfmt: time, level, logger, msg, then the metadata with sorted keys; values quoted only when needed")
    func logfmt() {
        #expect(Self.record.logfmt == #"time=2025-12-01T00:00:00.123Z level=warning logger=switchboard.payment "#
            + #"msg="charge \"o 1\" failed\nretrying" empty="" error="a=b" order.id=o-1 path=C:\tmp"#)
    }

    @Test("logfmt values: quoted for spaces, =, quotes and every line break, UTF-8 kept, line feeds escaped",
          arguments: [
              ("plain", "plain"), ("", #""""#), ("a b", #""a b""#), ("k=v", #""k=v""#),
              (#"say "hi""#, #""say \"hi\"""#),
              ("one\ntwo", #""one\ntwo""#), ("one\r\ntwo", "\"one\r\\ntwo\""), ("tab\tkept", "tab\tkept"),
              ("cr\r", "\"cr\r\""), ("vt\u{0B}", "\"vt\u{0B}\""), ("nel\u{85}", "\"nel\u{85}\""),
              ("ls\u{2028}", "\"ls\u{2028}\""), ("ps\u{2029}", "\"ps\u{2029}\""), ("ünïcødé→", "ünïcødé→"),
              (#"C:\tmp"#, #"C:\tmp"#), (#"a \ b"#, #""a \\ b""#),
              // The last bytes of U+0085, U+2028 and U+2029 after other lead bytes are no line break.
              ("¨©", "¨©"), ("‘’–", "‘’–"), ("\u{85}", "\"\u{85}\""), ("\u{2029}", "\"\u{2029}\""),
          ])
    func logfmtValues(value: String, written: String) {
        let record = LogRecord(time: Self.time, level: .info, label: "l", message: "m", metadata: ["k": value])
        #expect(record.logfmt == "time=2025-12-01T00:00:00.123Z level=info logger=l msg=m k=" + written)
        #expect(!record.logfmt.utf8.contains(UInt8(ascii: "\n")), "a line feed would split the record")
    }

    @Test("the bytes appended are the logfmt line, after what the buffer held")
    func logfmtBytes() {
        var line = Array("before|".utf8)
        Self.record.appendLogfmt(to: &line)
        #expect(line == Array(("before|" + Self.record.logfmt).utf8))
    }

    @Test("JSON: one object per line, the metadata beside time, level, logger and msg, read back as written")
    func json() throws {
        let line = Self.record.json
        #expect(!line.contains("\n"), "a JSON log line holds no line break: \(line)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(object == [
            "time": "2025-12-01T00:00:00.123Z", "level": "warning", "logger": "switchboard.payment",
            "msg": "charge \"o 1\" failed\nretrying", "order.id": "o-1", "error": "a=b", "empty": "",
            "path": #"C:\tmp"#,
        ])
    }

    @Test("times are RFC 3339 in UTC with milliseconds, whatever the date")
    func rfc3339Times() throws {
        for seconds in [0.0, 951_782_400.5, 1_764_547_200.999, 4_102_444_799.001] {
            var record = Self.record
            record.time = Date(timeIntervalSince1970: seconds)
            let logfmtTime = try #require(record.logfmt.firstMatch(of: #/^time=(\S+) /#)?.1)
            let jsonObject = try JSONSerialization.jsonObject(with: Data(record.json.utf8)) as? [String: String]
            let jsonTime = try #require(jsonObject?["time"])
            #expect(logfmtTime.wholeMatch(of: #/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/#) != nil, "\(logfmtTime)")
            #expect(String(logfmtTime) == jsonTime)
            let parsed = try #require(ISO8601DateFormatter.withFractionalSeconds.date(from: jsonTime))
            #expect(abs(parsed.timeIntervalSince1970 - seconds) < 0.0005, "\(jsonTime) for \(seconds)")
        }
    }

    @Test("a logger writes at and above its level, with its metadata and the line's, the line's winning")
    func loggerLevelsAndMetadata() {
        let written = Mutex<[LogRecord]>([])
        let logger = Logger(label: "switchboard.test", logLevel: .notice, sink: LogSink { record in
            written.withLock { $0.append(record) }
        }).child(label: "switchboard.stock", metadata: ["service": "stock", "order.id": "from-logger"])
        logger.info("dropped")
        logger.notice("kept", metadata: ["order.id": "o-9"])
        logger.error("kept too")
        let records = written.withLock { $0 }
        #expect(records.map(\.message) == ["kept", "kept too"])
        #expect(records.map(\.level) == [.notice, .error])
        #expect(records.first?.label == "switchboard.stock")
        #expect(records.first?.metadata == ["service": "stock", "order.id": "o-9"])
        #expect(records.last?.metadata == ["service": "stock", "order.id": "from-logger"])
    }
}

extension ISO8601DateFormatter {
    /// Foundation's own RFC 3339 reader, with fractional seconds: an oracle independent of `RFC3339`.
    fileprivate static var withFractionalSeconds: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
