#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSONBytes
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
        let message = (bytes as? [UInt8])?[...] ?? (bytes as? ArraySlice<UInt8>) ?? Array(bytes)[...]
        let attributes = try EnvelopeAttributes(reading: message)
        guard let specVersion = attributes.specversion else {
            guard let channel else {
                throw CloudEventError(.missingField, "specversion is missing: this is not an event envelope")
            }
            self.init(id: Self.bareID(channel: channel, payload: message), source: Self.bareSource, type: channel,
                      time: Date(), correlationID: attributes.orderId, causationID: nil, traceparent: nil,
                      body: .json(message), memo: PayloadMemo())
            return
        }
        guard specVersion.string == Self.specVersion else {
            throw CloudEventError(.unsupportedSpecVersion,
                                  "specversion is \(specVersion.text(in: message)), only \"1.0\" is supported")
        }
        let type = try attributes.type.required("type", reusing: channel)
        if let channel, type != channel {
            throw CloudEventError(.typeMismatch, "type \"\(type)\" does not match the channel \"\(channel)\"")
        }
        var time = Date()
        if let utf8 = try attributes.time.optionalUTF8("time") {
            guard let parsed = RFC3339.date(utf8: utf8) else {
                throw CloudEventError(.invalidField,
                                      "time \"\(String(decoding: utf8, as: UTF8.self))\" is not an RFC 3339 timestamp")
            }
            time = parsed
        }
        self.init(
            id: try attributes.id.required("id"), source: try attributes.source.required("source"), type: type,
            time: time, correlationID: try attributes.correlationid.optional("correlationid"),
            causationID: try attributes.causationid.optional("causationid"),
            traceparent: try attributes.traceparent.optional("traceparent"),
            body: attributes.data.map { .json($0) } ?? .value(.null), memo: PayloadMemo()
        )
    }

    /// The id of a bare payload: derived from the channel and the bytes (FNV-1a, 128 bits), so every
    /// service that receives the same message gives it the same id.
    private static func bareID(channel: String, payload: some Collection<UInt8>) -> String {
        var low: UInt64 = 0xcbf2_9ce4_8422_2325
        var high: UInt64 = 0x6c62_272e_07bb_0142
        func mix(_ byte: UInt8) {
            low = (low ^ UInt64(byte)) &* 0x100_0000_01b3
            high = (high ^ UInt64(byte)) &* 0x100_0000_01b3 ^ (low >> 29)
        }
        channel.utf8.forEach(mix)
        mix(0)
        payload.forEach(mix)
        let prefix = "bare-".utf8
        return String(unsafeUninitializedCapacity: prefix.count + 32) { text in
            var at = text.initialize(fromContentsOf: prefix)
            func write(_ value: UInt64) {
                for shift in stride(from: 60, through: 0, by: -4) {
                    text[at] = Self.hexDigits[Int(truncatingIfNeeded: value >> UInt64(shift)) & 0xF]
                    at += 1
                }
            }
            write(high)
            write(low)
            return at
        }
    }

    /// The digits of a bare id's hash, lower-case.
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// The event as CloudEvents JSON (structured mode): the attributes, then the payload's JSON as it is.
    public func encoded() -> [UInt8] {
        let data = body.json
        var writer = JSONWriter(capacity: 320 + data.count)
        writer.beginObject()
        writer.member("specversion", Self.specVersion)
        writer.member("id", id)
        writer.member("source", source)
        writer.member("type", type)
        writer.member("time", RFC3339.string(from: time))
        writer.member("datacontenttype", "application/json")
        if let correlationID { writer.member("correlationid", correlationID) }
        if let causationID { writer.member("causationid", causationID) }
        if let traceparent { writer.member("traceparent", traceparent) }
        writer.key("data")
        writer.raw(data)
        writer.endObject()
        return writer.bytes
    }
}

/// What one pass over a message finds: an envelope's attributes, its `data` as bytes, or, for a bare payload
/// (no `specversion`), its `orderId`.
private struct EnvelopeAttributes {
    var specversion: Attribute?
    var id: Attribute?
    var source: Attribute?
    var type: Attribute?
    var time: Attribute?
    var correlationid: Attribute?
    var causationid: Attribute?
    var traceparent: Attribute?
    /// The `data` member's JSON text, checked.
    var data: ArraySlice<UInt8>?
    /// A top-level `orderId` that is a string: a bare payload's correlation id.
    var orderId: String?

    /// Reads the whole message once, checking that it is JSON, and keeps what the envelope checks need.
    /// - Throws: `CloudEventError` `.notJSON` or `.notAnObject`.
    init(reading message: ArraySlice<UInt8>) throws(CloudEventError) {
        var reader = JSONReader(message)
        do {
            let kind = try reader.peek()
            guard kind == .object else {
                try reader.skipValue()
                try reader.finish()
                throw CloudEventError(.notAnObject, "message is a JSON \(kind.name), expected an object")
            }
            try reader.beginObject()
            while let key = try reader.nextMember() {
                switch key {
                case "specversion": specversion = try Attribute(reading: &reader)
                case "id": id = try Attribute(reading: &reader)
                case "source": source = try Attribute(reading: &reader)
                case "type": type = try Attribute(reading: &reader)
                case "time": time = try Attribute(reading: &reader)
                case "correlationid": correlationid = try Attribute(reading: &reader)
                case "causationid": causationid = try Attribute(reading: &reader)
                case "traceparent": traceparent = try Attribute(reading: &reader)
                case "data": data = try reader.captureValue()
                case "orderId": orderId = try Attribute(reading: &reader).string
                default: try reader.skipValue()
                }
            }
            try reader.finish()
        } catch let error as CloudEventError {
            throw error
        } catch let error as JSONReaderError {
            throw CloudEventError(.notJSON, error.message(root: "message"))
        } catch {
            throw CloudEventError(.notJSON, "message is not valid JSON: \(error)")
        }
    }
}

/// One attribute's value: a string as its UTF-8 (a slice of the message unless it held escapes), made a
/// `String` only when it is kept; its kind and where it is in the message otherwise.
private enum Attribute {
    case string(ArraySlice<UInt8>)
    case other(JSONKind, Range<Int>)

    init(reading reader: inout JSONReader) throws(JSONReaderError) {
        let kind = try reader.peek()
        if kind == .string {
            self = .string(try reader.readStringUTF8())
        } else {
            self = .other(kind, try reader.captureValue().indices)
        }
    }

    var string: String? {
        if case .string(let utf8) = self { return String(decoding: utf8, as: UTF8.self) }
        return nil
    }

    var kind: JSONKind {
        if case .other(let kind, _) = self { return kind }
        return .string
    }

    /// The value as JSON, for messages (shortened past 64 bytes).
    func text(in message: ArraySlice<UInt8>) -> String {
        switch self {
        case .string(let utf8): return "\"\(String(decoding: utf8, as: UTF8.self))\""
        case .other(_, let range):
            let json = message[range]
            let shown = String(decoding: json.prefix(64), as: UTF8.self)
            return json.count > 64 ? shown + "…" : shown
        }
    }
}

extension Optional<Attribute> {
    /// The value of a required attribute: a non-empty string; `known` itself when the value is its text (an
    /// event's type is the channel it came on), so no new string is made for it.
    func required(_ name: String, reusing known: String? = nil) throws(CloudEventError) -> String {
        guard let self else { throw CloudEventError(.missingField, "\(name) is missing from the event envelope") }
        guard case .string(let utf8) = self, !utf8.isEmpty else {
            throw CloudEventError(.invalidField, "\(name) must be a non-empty string, found \(self.kind.name)")
        }
        if let known, utf8.elementsEqual(known.utf8) { return known }
        return String(decoding: utf8, as: UTF8.self)
    }

    /// The value of an optional attribute: absent or `null` is `nil`, anything else must be a string.
    func optional(_ name: String) throws(CloudEventError) -> String? {
        try optionalUTF8(name).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The UTF-8 of an optional attribute, judged as `optional(_:)` judges it, for a value that is parsed
    /// rather than kept (`time`).
    func optionalUTF8(_ name: String) throws(CloudEventError) -> ArraySlice<UInt8>? {
        switch self {
        case nil, .other(.null, _)?: return nil
        case .string(let utf8)?: return utf8
        case .other(let kind, _)?: throw CloudEventError(.invalidField, "\(name) must be a string, found \(kind.name)")
        }
    }
}
