#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Telemetry

extension CloudEvent {
    /// The largest message accepted as an event, in bytes (1 MiB).
    public static let maximumEncodedSize = 1 << 20

    /// The `source` given to events that arrive as a bare payload.
    public static let bareSource = "switchboard/bare-payload"

    /// Reads a message that arrived on `channel`.
    ///
    /// A JSON object with `specversion` is a CloudEvents envelope: `specversion` must be `1.0`, `id`,
    /// `source` and `type` must be strings, `type` must equal the channel, and `data` (absent is `null`)
    /// may be any JSON. A JSON object without `specversion` (what a person types into
    /// `redis-cli PUBLISH`) is a bare payload: it becomes the `data` of a new event of the channel's type,
    /// whose correlation id is the payload's `orderId` when that is a string.
    /// - Throws: `CloudEventError` saying what is wrong.
    public init(decoding bytes: some Collection<UInt8>, channel: String) throws(CloudEventError) {
        try self.init(bytes, channel: channel)
    }

    /// Reads a stored envelope (from a trace log or a stream), whose type is its own.
    /// - Throws: `CloudEventError` saying what is wrong; a bare payload is `.missingField` (specversion).
    public init(envelope bytes: some Collection<UInt8>) throws(CloudEventError) {
        try self.init(bytes, channel: nil)
    }

    private init(_ bytes: some Collection<UInt8>, channel: String?) throws(CloudEventError) {
        guard bytes.count <= Self.maximumEncodedSize else {
            throw CloudEventError(.tooLarge,
                                  "message is \(bytes.count) bytes, over the limit of \(Self.maximumEncodedSize)")
        }
        let data = Data(bytes)
        // The fast path reads only the attributes and keeps the payload as bytes. Anything it does not
        // accept as it is goes the slow way, which reads every value and says precisely what is wrong.
        if let attributes = try? Body.decoder.decode(EnvelopeAttributes.self, from: data),
           let event = Self.event(from: attributes, message: data, channel: channel) {
            self = event
            return
        }
        try self.init(checking: data, channel: channel)
    }

    /// The event for well-formed attributes, or `nil` when they need the slow path's scrutiny.
    private static func event(from attributes: EnvelopeAttributes, message: Data, channel: String?) -> CloudEvent? {
        guard attributes.isEnvelope else {
            guard let channel else { return nil }
            return CloudEvent(id: bareID(channel: channel, payload: message), source: bareSource, type: channel,
                              time: Date(), correlationID: attributes.orderId, causationID: nil, traceparent: nil,
                              body: .json(message))
        }
        guard attributes.specversion == specVersion, let id = attributes.id, !id.isEmpty,
              let source = attributes.source, !source.isEmpty, let type = attributes.type, !type.isEmpty,
              channel == nil || channel == type
        else { return nil }
        var time = Date()
        if let text = attributes.time {
            guard let parsed = RFC3339.date(from: text) else { return nil }
            time = parsed
        }
        return CloudEvent(id: id, source: source, type: type, time: time, correlationID: attributes.correlationid,
                          causationID: attributes.causationid, traceparent: attributes.traceparent,
                          body: attributes.hasData ? .envelope(message) : .value(.null))
    }

    /// Reads every value of the message and says precisely what is wrong with it.
    private init(checking data: Data, channel: String?) throws(CloudEventError) {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw CloudEventError(.notJSON, "message is not valid JSON: \(Self.summary(of: error))")
        }
        guard case .object(let members) = value else {
            throw CloudEventError(.notAnObject, "message is a JSON \(value.typeName), expected an object")
        }
        guard let specVersion = members["specversion"] else {
            guard let channel else {
                throw CloudEventError(.missingField, "specversion is missing: this is not an event envelope")
            }
            self.init(id: Self.bareID(channel: channel, payload: data), source: Self.bareSource, type: channel,
                      correlationID: value["orderId"]?.stringValue, data: value)
            return
        }
        guard specVersion == .string(Self.specVersion) else {
            throw CloudEventError(.unsupportedSpecVersion,
                                  "specversion is \(Self.render(specVersion)), only \"1.0\" is supported")
        }
        func required(_ name: String) throws(CloudEventError) -> String {
            guard let member = members[name] else {
                throw CloudEventError(.missingField, "\(name) is missing from the event envelope")
            }
            guard case .string(let text) = member, !text.isEmpty else {
                throw CloudEventError(.invalidField, "\(name) must be a non-empty string, found \(member.typeName)")
            }
            return text
        }
        func optional(_ name: String) throws(CloudEventError) -> String? {
            guard let member = members[name], member != .null else { return nil }
            guard case .string(let text) = member else {
                throw CloudEventError(.invalidField, "\(name) must be a string, found \(member.typeName)")
            }
            return text
        }
        let type = try required("type")
        if let channel, type != channel {
            throw CloudEventError(.typeMismatch, "type \"\(type)\" does not match the channel \"\(channel)\"")
        }
        var time = Date()
        if let text = try optional("time") {
            guard let parsed = RFC3339.date(from: text) else {
                throw CloudEventError(.invalidField, "time \"\(text)\" is not an RFC 3339 timestamp")
            }
            time = parsed
        }
        self.init(
            id: try required("id"), source: try required("source"), type: type, time: time,
            correlationID: try optional("correlationid"), causationID: try optional("causationid"),
            traceparent: try optional("traceparent"), data: members["data"] ?? .null
        )
    }

    /// The id of a bare payload: derived from the channel and the bytes (FNV-1a, 128 bits), so every
    /// service that receives the same message gives it the same id.
    private static func bareID(channel: String, payload: some Collection<UInt8>) -> String {
        var low: UInt64 = 0xcbf2_9ce4_8422_2325
        var high: UInt64 = 0x6c62_272e_07bb_0142
        for byte in Array(channel.utf8) + [0] + Array(payload) {
            low = (low ^ UInt64(byte)) &* 0x100_0000_01b3
            high = (high ^ UInt64(byte)) &* 0x100_0000_01b3 ^ (low >> 29)
        }
        func hex(_ value: UInt64) -> String {
            let text = String(value, radix: 16)
            return String(repeating: "0", count: 16 - text.count) + text
        }
        return "bare-" + hex(high) + hex(low)
    }

    /// The event as CloudEvents JSON (structured mode): the attributes, then the payload's JSON as it is.
    public func encoded() -> [UInt8] {
        // Encoding strings cannot fail, and an object's JSON always ends with its closing brace.
        var bytes = (try? Array(Body.encoder.encode(EnvelopeAttributes(self)))) ?? Array("{}".utf8)
        bytes.removeLast()
        bytes += Array(#","data":"#.utf8)
        bytes += body.json
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    private static func render(_ value: JSONValue) -> String {
        (try? String(decoding: JSONEncoder().encode(value), as: UTF8.self)) ?? value.typeName
    }

    private static func summary(of error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            return context.underlyingError.map { "\($0)" } ?? context.debugDescription
        }
        return "\(error)"
    }
}

/// An envelope's attributes without its data: what the fast path reads and what `encoded()` writes
/// before the payload. A bare payload reads as no `specversion` and, perhaps, an `orderId`.
private struct EnvelopeAttributes: Codable {
    var specversion: String?
    var id: String?
    var source: String?
    var type: String?
    var time: String?
    var datacontenttype: String?
    var correlationid: String?
    var causationid: String?
    var traceparent: String?
    var orderId: String?
    var isEnvelope = true
    var hasData = false

    private enum CodingKeys: String, CodingKey {
        case specversion, id, source, type, time, datacontenttype, correlationid, causationid, traceparent, data,
             orderId
    }

    init(_ event: CloudEvent) {
        specversion = CloudEvent.specVersion
        id = event.id
        source = event.source
        type = event.type
        time = RFC3339.string(from: event.time)
        datacontenttype = "application/json"
        correlationid = event.correlationID
        causationid = event.causationID
        traceparent = event.traceparent
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        isEnvelope = container.contains(.specversion)
        hasData = container.contains(.data)
        guard isEnvelope else {
            orderId = try? container.decodeIfPresent(String.self, forKey: .orderId)
            return
        }
        specversion = try container.decodeIfPresent(String.self, forKey: .specversion)
        id = try container.decodeIfPresent(String.self, forKey: .id)
        source = try container.decodeIfPresent(String.self, forKey: .source)
        type = try container.decodeIfPresent(String.self, forKey: .type)
        time = try container.decodeIfPresent(String.self, forKey: .time)
        correlationid = try container.decodeIfPresent(String.self, forKey: .correlationid)
        causationid = try container.decodeIfPresent(String.self, forKey: .causationid)
        traceparent = try container.decodeIfPresent(String.self, forKey: .traceparent)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(specversion, forKey: .specversion)
        try container.encode(id, forKey: .id)
        try container.encode(source, forKey: .source)
        try container.encode(type, forKey: .type)
        try container.encode(time, forKey: .time)
        try container.encode(datacontenttype, forKey: .datacontenttype)
        try container.encodeIfPresent(correlationid, forKey: .correlationid)
        try container.encodeIfPresent(causationid, forKey: .causationid)
        try container.encodeIfPresent(traceparent, forKey: .traceparent)
    }
}

extension CloudEvent: Encodable {
    private enum CodingKeys: String, CodingKey {
        case specversion, id, source, type, time, datacontenttype, correlationid, causationid, traceparent, data
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.specVersion, forKey: .specversion)
        try container.encode(id, forKey: .id)
        try container.encode(source, forKey: .source)
        try container.encode(type, forKey: .type)
        try container.encode(RFC3339.string(from: time), forKey: .time)
        try container.encode("application/json", forKey: .datacontenttype)
        try container.encodeIfPresent(correlationID, forKey: .correlationid)
        try container.encodeIfPresent(causationID, forKey: .causationid)
        try container.encodeIfPresent(traceparent, forKey: .traceparent)
        try container.encode(data, forKey: .data)
    }
}
