#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// UTC timestamps in RFC 3339 with milliseconds, e.g. `2026-11-23T10:00:00.123Z`.
///
/// The forms events carry (UTC, `Z`, with milliseconds or none, years 1970 to 9999) are formatted and parsed
/// by hand, as every event's envelope has one; anything else goes to Foundation's ISO 8601 style, which gives
/// the same results for these forms, only slower.
public enum RFC3339 {
    private static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
    private static let withoutFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: false, timeZone: .gmt)
    /// Seconds from 1970 to Foundation's reference date, 2001-01-01.
    private static let referenceOffset: Int64 = 978_307_200
    /// 10000-01-01T00:00:00Z in seconds from 2001: the first instant past four-digit years.
    private static let endOfFourDigitYears: Int64 = 253_402_300_800 - 978_307_200

    /// Formats `date` in UTC with milliseconds, rounded to the nearest.
    ///
    /// Rounded rather than truncated as Foundation's style does: a parsed `.787` is a binary fraction just
    /// below it, which truncation printed as `.786`, so an event's time moved back each time it was read
    /// and written again (found by the CloudEvent fuzz target).
    public static func string(from date: Date) -> String {
        let total = (date.timeIntervalSinceReferenceDate * 1000).rounded()
        guard total.isFinite, total >= Double(-referenceOffset) * 1000, total < Double(endOfFourDigitYears) * 1000
        else { return roundedWithFoundation(date) }
        let fromReference = Int64(total)
        let milliseconds = (fromReference % 1000 + 1000) % 1000
        let seconds = (fromReference - milliseconds) / 1000 + referenceOffset
        let (year, month, day) = civil(days: seconds / 86_400)
        let secondOfDay = seconds % 86_400
        var text: [UInt8] = []
        text.reserveCapacity(24)
        func append(_ value: Int64, digits: Int) {
            var divisor: Int64 = 1
            for _ in 1..<digits { divisor *= 10 }
            while divisor > 0 {
                text.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                divisor /= 10
            }
        }
        append(year, digits: 4)
        text.append(UInt8(ascii: "-"))
        append(month, digits: 2)
        text.append(UInt8(ascii: "-"))
        append(day, digits: 2)
        text.append(UInt8(ascii: "T"))
        append(secondOfDay / 3600, digits: 2)
        text.append(UInt8(ascii: ":"))
        append(secondOfDay / 60 % 60, digits: 2)
        text.append(UInt8(ascii: ":"))
        append(secondOfDay % 60, digits: 2)
        text.append(UInt8(ascii: "."))
        append(milliseconds, digits: 3)
        text.append(UInt8(ascii: "Z"))
        return String(decoding: text, as: UTF8.self)
    }

    /// Formats a date outside the four-digit years like `string(from:)`, with Foundation's formatter.
    private static func roundedWithFoundation(_ date: Date) -> String {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        let seconds = (milliseconds / 1000).rounded(.down)
        let fraction = String(Int(milliseconds - seconds * 1000))
        let whole = withoutFraction.format(Date(timeIntervalSince1970: seconds))
        return whole.dropLast() + "." + String(repeating: "0", count: 3 - fraction.count) + fraction + "Z"
    }

    /// Parses an RFC 3339 timestamp with or without fractional seconds; `nil` when it is not one.
    public static func date(from string: String) -> Date? {
        var string = string
        if let date = string.withUTF8(fastDate(utf8:)) { return date }
        return (try? withFraction.parse(string)) ?? (try? withoutFraction.parse(string))
    }

    /// Parses an RFC 3339 timestamp given as UTF-8, as `date(from:)` does, making no `String` for the forms
    /// events carry.
    public static func date(utf8: ArraySlice<UInt8>) -> Date? {
        if let date = utf8.withUnsafeBufferPointer(fastDate(utf8:)) { return date }
        return date(from: String(decoding: utf8, as: UTF8.self))
    }

    /// `yyyy-MM-ddTHH:mm:ssZ` or `yyyy-MM-ddTHH:mm:ss.SSSZ` with every field in its range; `nil` for anything
    /// else, which Foundation decides.
    private static func fastDate(utf8 text: UnsafeBufferPointer<UInt8>) -> Date? {
        guard text.count == 20 || text.count == 24, text[4] == UInt8(ascii: "-"), text[7] == UInt8(ascii: "-"),
              text[10] == UInt8(ascii: "T"), text[13] == UInt8(ascii: ":"), text[16] == UInt8(ascii: ":"),
              text[text.count - 1] == UInt8(ascii: "Z")
        else { return nil }
        func number(_ start: Int, _ count: Int) -> Int64? {
            var value: Int64 = 0
            for position in start..<(start + count) {
                let digit = text[position] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value * 10 + Int64(digit)
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
              year >= 1970, (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour < 24, minute < 60, second < 60
        else { return nil }
        var milliseconds: Int64 = 0
        if text.count == 24 {
            guard text[19] == UInt8(ascii: "."), let fraction = number(20, 3) else { return nil }
            milliseconds = fraction
        }
        let seconds = days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
        // The same arithmetic as Foundation's, from its reference date, so that equal text gives equal dates.
        return Date(timeIntervalSinceReferenceDate: Double(seconds - referenceOffset)
            + Double(milliseconds) / 1000)
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's `days_from_civil`).
    private static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let year = month <= 2 ? year - 1 : year
        let era = year / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date `days` after 1970-01-01, for `days >= 0` (H. Hinnant's `civil_from_days`).
    private static func civil(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = shifted / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
