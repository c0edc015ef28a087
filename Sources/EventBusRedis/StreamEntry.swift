import EventBus
import RedisClient

/// One stream entry as `XREADGROUP`, `XREAD`, `XRANGE` and `XAUTOCLAIM` return it.
struct StreamEntry: Sendable {
    /// The field the event's JSON is kept in, by the contract.
    static let eventField = "event"

    var stream: String
    var id: String
    var fields: [String: [UInt8]]

    /// The message a consumer sees: the `event` field, or a description of the entry when it lacks one
    /// (which then fails to decode and is dead-lettered with the entry's content). Its channel is the type
    /// the stream carries; a partition stream (`order.created{p07}`) is named as the message's `stream`.
    func message(deliveryCount: Int) -> InboundMessage {
        let payload = fields[Self.eventField] ?? Array("entry \(id) has no '\(Self.eventField)' field: \(fields.keys.sorted())".utf8)
        let type = ChannelLayout.type(ofChannel: stream)
        return InboundMessage(channel: type, payload: payload, deliveryID: id, deliveryCount: deliveryCount,
                              stream: type == stream ? nil : stream)
    }

    /// Reads `[[stream, [[id, [field, value, …]], …]], …]`.
    static func entries(fromStreams reply: RedisReply) -> [StreamEntry] {
        (reply.array ?? []).flatMap { streamReply -> [StreamEntry] in
            guard let parts = streamReply.array, parts.count == 2, let stream = parts[0].string else { return [] }
            return entries(from: parts[1], stream: stream)
        }
    }

    /// Reads `[[id, [field, value, …]], …]`; deleted entries (`[id, nil]`) are skipped.
    static func entries(from reply: RedisReply, stream: String) -> [StreamEntry] {
        RedisStreamEntry.entries(in: reply).map { StreamEntry(stream: stream, id: $0.id, fields: $0.fields) }
    }
}
