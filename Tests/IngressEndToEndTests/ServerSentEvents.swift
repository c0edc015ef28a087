import Foundation

/// A `text/event-stream` body split into its frames.
struct ServerSentEvents {
    /// One frame: its `id`, `event` and `data` fields.
    struct Frame: CustomStringConvertible {
        var id: String?
        var event: String?
        var data: String?

        /// The data as a JSON object.
        var json: [String: Any]? {
            data.flatMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
        }

        var description: String { "id=\(id ?? "-") event=\(event ?? "-") data=\(data ?? "-")" }
    }

    let frames: [Frame]

    /// Parses a stream body; frames are separated by a blank line.
    init(_ body: String) {
        frames = body.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n").compactMap { text in
            var frame = Frame()
            for line in text.split(separator: "\n") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let value = line[line.index(after: colon)...].drop { $0 == " " }
                switch line[..<colon] {
                case "id": frame.id = String(value)
                case "event": frame.event = String(value)
                case "data": frame.data = (frame.data.map { $0 + "\n" } ?? "") + value
                default: continue
                }
            }
            return frame.event == nil && frame.data == nil ? nil : frame
        }
    }

    /// The `event` of each frame, in order.
    var types: [String] { frames.compactMap(\.event) }
}
