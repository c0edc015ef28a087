#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import EventBus
import JSONBytes
import Telemetry

/// One readable line for a message seen by `switchboard tail`:
/// `time  type  correlation  source  data`, with the data as compact JSON cut at `dataWidth` characters.
/// Card numbers are masked (`CardNumberMask`): an event published with `redis-cli` may carry one.
struct TailLine {
    /// Whether to colour the event type (on a terminal).
    var colored: Bool
    /// The most characters of data shown.
    var dataWidth = 160

    func render(_ message: InboundMessage) -> String {
        CardNumberMask.masked(line(for: message))
    }

    private func line(for message: InboundMessage) -> String {
        let event: CloudEvent
        do {
            event = try CloudEvent(decoding: message.payload, channel: message.channel)
        } catch {
            let raw = String(decoding: message.payload.prefix(dataWidth), as: UTF8.self)
            return "\(RFC3339.string(from: Date()))  \(paint(message.channel.padding(to: 20), code: 31))  "
                + "not an event (\(error.message)): \(raw)"
        }
        let source = event.source.hasPrefix("switchboard/") ? String(event.source.dropFirst(12)) : event.source
        let type = paint(event.type.padding(to: 20), code: Self.color(of: event.type))
        return "\(RFC3339.string(from: event.time))  \(type)  \((event.correlationID ?? "-").padding(to: 14))  "
            + "\(source.padding(to: 14))  \(Self.compact(event.data, width: dataWidth))"
    }

    private func paint(_ text: String, code: Int) -> String {
        colored ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    /// Green for progress, red for failure, yellow for compensation, cyan for the rest.
    private static func color(of type: String) -> Int {
        let outcome = type.split(separator: ".").last ?? ""
        switch outcome {
        case "rejected", "failed", "cancelled": return 31
        case "released": return 33
        case "reserved", "completed", "confirmed", "sent": return 32
        default: return 36
        }
    }

    private static func compact(_ data: JSONValue, width: Int) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let text = (try? String(decoding: encoder.encode(data), as: UTF8.self)) ?? data.typeName
        return text.count > width ? String(text.prefix(width - 1)) + "…" : text
    }
}
