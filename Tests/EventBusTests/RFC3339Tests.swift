import Foundation
import Telemetry
import Testing

@Suite("RFC3339")
struct RFC3339Tests {
    static let foundation = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
    static let foundationWithoutFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: false, timeZone: .gmt)

    @Test("formats as Foundation does the date rounded to the millisecond, across four-digit years and outside")
    func formatting() {
        var generator = SystemRandomNumberGenerator()
        var dates = [0, 0.0004, 0.9999, -0.0004, 1.2345, 1_700_000_000.1239, 1_700_000_000.9996, 1_000_000_000.001,
                     951_782_400, 253_402_300_799.999, 253_402_300_800, -62_135_769_600]
            .map(Date.init(timeIntervalSince1970:))
        dates += (0..<2000).map { _ in
            Date(timeIntervalSince1970: Double.random(in: 0..<4_102_444_800, using: &generator))
        }
        dates += (0..<2000).map { _ in
            Date(timeIntervalSince1970: Double(Int.random(in: 0..<4_102_444_800_000, using: &generator)) / 1000)
        }
        for date in dates {
            // Rounded to the nearest millisecond (Foundation truncates), so a time read back writes the same:
            // Foundation formats the whole seconds, the milliseconds are counted exactly.
            let total = Int64((date.timeIntervalSinceReferenceDate * 1000).rounded()) + 978_307_200_000
            let milliseconds = (total % 1000 + 1000) % 1000
            let seconds = Date(timeIntervalSince1970: Double((total - milliseconds) / 1000))
            let fraction = String(milliseconds)
            let expected = Self.foundationWithoutFraction.format(seconds).dropLast() + "."
                + String(repeating: "0", count: 3 - fraction.count) + fraction + "Z"
            #expect(RFC3339.string(from: date) == expected, "\(date.timeIntervalSince1970)")
            if let read = RFC3339.date(from: RFC3339.string(from: date)) {
                #expect(RFC3339.string(from: read) == RFC3339.string(from: date))
            }
        }
    }

    @Test("parses as Foundation does: the forms written, and every other form Foundation accepts or rejects")
    func parsing() {
        var generator = SystemRandomNumberGenerator()
        var texts = ["2026-11-23T10:00:00.123Z", "2026-11-23T10:00:00Z", "2024-02-29T23:59:59.999Z",
                     "1970-01-01T00:00:00.000Z",
                     "2026-11-23T10:00:00.1Z", "2026-11-23T10:00:00.123456Z", "2026-11-23T10:00:00+02:00",
                     "2026-02-30T10:00:00Z", "2023-02-29T10:00:00Z", "2026-11-23T24:00:00Z", "2026-11-23T10:00:60Z",
                     "2026-11-23t10:00:00z", "2026-11-23 10:00:00Z", "2026-11-23T10:00:00.123", "0001-01-01T00:00:00Z",
                     "yesterday", "", "2026-11-23T10:00:00.12aZ", "2026-1a-23T10:00:00Z", "2026-00-10T10:00:00Z"]
        texts += (0..<1000).map { _ in
            Self.foundation.format(Date(timeIntervalSince1970: Double.random(in: 0..<4_102_444_800, using: &generator)))
        }
        for text in texts {
            let expected = (try? Self.foundation.parse(text)) ?? (try? Self.foundationWithoutFraction.parse(text))
            let parsed = RFC3339.date(from: text)
            #expect((parsed == nil) == (expected == nil), "\(text)")
            #expect(RFC3339.date(utf8: Array(text.utf8)[...]) == parsed, "from UTF-8: \(text)")
            if let parsed, let expected {
                // The same instant; the two computations may differ in the last bit of the Double.
                #expect(abs(parsed.timeIntervalSince(expected)) < 0.000_001, "\(text)")
            }
        }
    }
}
