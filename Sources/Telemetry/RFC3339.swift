#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// UTC timestamps in RFC 3339 with milliseconds, e.g. `2026-11-23T10:00:00.123Z`.
public enum RFC3339 {
    private static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
    private static let withoutFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: false, timeZone: .gmt)

    /// Formats `date` in UTC with milliseconds, rounded to the nearest.
    ///
    /// Rounded rather than truncated as Foundation's style does: a parsed `.787` is a binary fraction just
    /// below it, which truncation printed as `.786`, so an event's time moved back each time it was read
    /// and written again (found by the CloudEvent fuzz target).
    public static func string(from date: Date) -> String {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        let seconds = (milliseconds / 1000).rounded(.down)
        let fraction = String(Int(milliseconds - seconds * 1000))
        let whole = withoutFraction.format(Date(timeIntervalSince1970: seconds))
        return whole.dropLast() + "." + String(repeating: "0", count: 3 - fraction.count) + fraction + "Z"
    }

    /// Parses an RFC 3339 timestamp with or without fractional seconds; `nil` when it is not one.
    public static func date(from string: String) -> Date? {
        (try? withFraction.parse(string)) ?? (try? withoutFraction.parse(string))
    }
}
