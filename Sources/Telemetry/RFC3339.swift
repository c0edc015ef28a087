#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// UTC timestamps in RFC 3339 with milliseconds, e.g. `2026-11-23T10:00:00.123Z`.
public enum RFC3339 {
    private static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
    private static let withoutFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: false, timeZone: .gmt)

    /// Formats `date` in UTC with milliseconds.
    public static func string(from date: Date) -> String {
        withFraction.format(date)
    }

    /// Parses an RFC 3339 timestamp with or without fractional seconds; `nil` when it is not one.
    public static func date(from string: String) -> Date? {
        (try? withFraction.parse(string)) ?? (try? withoutFraction.parse(string))
    }
}
