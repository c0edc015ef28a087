#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSONBytes

/// A CloudEvents 1.0 event, as every service publishes and receives it (JSON structured mode).
///
/// `correlationID` is the same on every event of one order's chain; `causationID` names the event
/// that caused this one. Build follow-up events with `caused(type:source:data:)`, which carries both
/// (and `traceparent`) from the event being handled.
public struct CloudEvent: Sendable, Equatable {
    /// The CloudEvents version this envelope follows.
    public static let specVersion = "1.0"

    /// Unique per event.
    public var id: String
    /// Who produced it, e.g. `switchboard/stock`.
    public var source: String
    /// The event type, which is also its channel, e.g. `stock.reserved`.
    public var type: String
    /// When it happened, UTC.
    public var time: Date
    /// The same on every event of one chain (one order).
    public var correlationID: String?
    /// The id of the event that caused this one; absent on the first.
    public var causationID: String?
    /// The W3C trace context, carried through when present.
    public var traceparent: String?
    /// The payload, as JSON bytes or as a value: see `Body`.
    var body: Body
    /// For an event read from a message, the payload first decoded from its bytes (`decodeDataOnce(as:)`);
    /// forgotten when the data is set.
    var memo: PayloadMemo?

    /// The payload as a value. Events keep their payload as the JSON they arrived with (or were
    /// encoded to), so reading this decodes it; services decode their own types with `decodeData(as:)`.
    public var data: JSONValue {
        get { body.value }
        set {
            body = .value(newValue)
            memo = nil
        }
    }

    /// Creates an event.
    /// - Parameters:
    ///   - id: unique per event; a random UUID by default.
    ///   - source: who produced it.
    ///   - type: the event type and channel.
    ///   - time: when it happened.
    ///   - correlationID: the chain it belongs to.
    ///   - causationID: the event that caused it.
    ///   - traceparent: W3C trace context.
    ///   - data: the payload.
    public init(
        id: String = CloudEvent.newID(),
        source: String,
        type: String,
        time: Date = Date(),
        correlationID: String? = nil,
        causationID: String? = nil,
        traceparent: String? = nil,
        data: JSONValue
    ) {
        self.init(id: id, source: source, type: type, time: time, correlationID: correlationID,
                  causationID: causationID, traceparent: traceparent, body: .value(data))
    }

    /// Creates an event whose data is `payload`, encoded once (with its `JSONWritable` conformance when it has
    /// one, with `JSONEncoder` otherwise).
    /// - Parameters:
    ///   - source: who produced it.
    ///   - type: the event type and channel.
    ///   - correlationID: the chain it belongs to.
    ///   - traceparent: W3C trace context.
    ///   - payload: the data; a value that cannot be encoded gives `null` data.
    public init(source: String, type: String, correlationID: String?, traceparent: String?, payload: some Encodable) {
        self.init(id: CloudEvent.newID(), source: source, type: type, time: Date(), correlationID: correlationID,
                  causationID: nil, traceparent: traceparent, body: Body(encoding: payload))
    }

    /// Creates an event whose payload is kept as `body`, with `memo` for an event read from a message (given
    /// here rather than set after, which copied the whole event).
    init(
        id: String, source: String, type: String, time: Date, correlationID: String?, causationID: String?,
        traceparent: String?, body: Body, memo: PayloadMemo? = nil
    ) {
        self.id = id
        self.source = source
        self.type = type
        self.time = time
        self.correlationID = correlationID
        self.causationID = causationID
        self.traceparent = traceparent
        self.body = body
        self.memo = memo
    }

    public static func == (lhs: CloudEvent, rhs: CloudEvent) -> Bool {
        lhs.id == rhs.id && lhs.source == rhs.source && lhs.type == rhs.type && lhs.time == rhs.time
            && lhs.correlationID == rhs.correlationID && lhs.causationID == rhs.causationID
            && lhs.traceparent == rhs.traceparent && lhs.data == rhs.data
    }

    /// A new random event id: a version 4 UUID in lowercase (`RandomIdentifier.uuid()`).
    public static func newID() -> String {
        RandomIdentifier.uuid()
    }

    /// A follow-up event: same correlation and trace, caused by this event.
    /// - Parameters:
    ///   - type: the new event's type.
    ///   - source: who produces it.
    ///   - data: its payload.
    public func caused(type: String, source: String, data: JSONValue) -> CloudEvent {
        caused(type: type, body: .value(data), source: source)
    }

    /// A follow-up event whose data is `payload`, encoded once (with its `JSONWritable` conformance when it has
    /// one, with `JSONEncoder` otherwise).
    /// - Parameters:
    ///   - type: the new event's type.
    ///   - source: who produces it.
    ///   - payload: its data; a value that cannot be encoded gives `null` data.
    public func caused(type: String, source: String, payload: some Encodable) -> CloudEvent {
        caused(type: type, body: Body(encoding: payload), source: source)
    }

    private func caused(type: String, body: Body, source: String) -> CloudEvent {
        CloudEvent(id: CloudEvent.newID(), source: source, type: type, time: Date(),
                   correlationID: correlationID ?? id, causationID: id, traceparent: traceparent, body: body)
    }

    /// Decodes the data into a service's payload type: with a `JSONReader` straight from the bytes when the
    /// type is `JSONReadable`, with `JSONDecoder` otherwise.
    /// - Throws: `CloudEventError` naming the field that is missing or of the wrong type, as `data.<path>`.
    public func decodeData<Payload: Decodable>(as type: Payload.Type) throws(CloudEventError) -> Payload {
        if let readable = Payload.self as? any JSONReadable.Type {
            do {
                // The cast above proves the type; the value read is a `Payload`.
                return try body.read(as: readable) as! Payload
            } catch {
                throw CloudEventError(reading: error, in: "data")
            }
        }
        do {
            return try body.decode(as: Payload.self)
        } catch let error as DecodingError {
            throw CloudEventError(decoding: error, in: "data")
        } catch {
            throw CloudEventError(.invalidField, "data: \(error)")
        }
    }

    /// Decodes the data as `decodeData(as:)` does, parsing the bytes of an event read from a message once: the
    /// first payload decoded is kept with the event (and its copies), and a later read as the same type returns
    /// it. Services read their payload this way, as a message's payload is asked for at each step of its handling.
    /// - Throws: `CloudEventError` naming the field that is missing or of the wrong type, as `data.<path>`.
    public func decodeDataOnce<Payload: Decodable & Sendable>(
        as type: Payload.Type
    ) throws(CloudEventError) -> Payload {
        guard let memo else { return try decodeData(as: Payload.self) }
        return try memo.payload { () throws(CloudEventError) in try decodeData(as: Payload.self) }
    }

    /// The data's JSON text, for reading parts of it with a `JSONReader` without decoding the rest.
    public var dataJSON: ArraySlice<UInt8> { body.json }
}

/// An event's payload: a value built in code, or its JSON text (a bare message, the `data` of an envelope, or
/// a payload encoded once), which is valid JSON as it has been read or written. Kept as bytes, a payload is
/// read straight into the type a service asks for, and encoded again by copying.
enum Body: Sendable {
    case value(JSONValue)
    case json(ArraySlice<UInt8>)

    static let null: ArraySlice<UInt8> = Array("null".utf8)[...]

    /// A payload encoded once; one that cannot be encoded is `null`.
    init(encoding payload: some Encodable) {
        if let writable = payload as? any JSONWritable {
            self = .json(writable.jsonBytes[...])
        } else {
            self = .json((try? Array(Self.encoder.encode(payload))[...]) ?? Self.null)
        }
    }

    static let decoder = JSONDecoder()

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    /// The payload as a value (`null` if the bytes do not hold one, which reading them already ruled out).
    var value: JSONValue {
        switch self {
        case .value(let value): value
        case .json(let bytes): (try? JSONValue(jsonBytes: bytes)) ?? .null
        }
    }

    /// The payload read as `Payload`.
    func read<Payload: JSONReadable>(as type: Payload.Type) throws(JSONReaderError) -> Payload {
        try Payload(jsonBytes: json)
    }

    /// The payload decoded as `Payload` with `JSONDecoder`.
    func decode<Payload: Decodable>(as type: Payload.Type) throws -> Payload {
        switch self {
        case .value(let value): try value.decode(as: Payload.self)
        case .json(let bytes): try Self.decoder.decode(Payload.self, from: Data(bytes))
        }
    }

    /// The payload's JSON text.
    var json: ArraySlice<UInt8> {
        switch self {
        case .json(let bytes): bytes
        case .value(let value): value.jsonBytes[...]
        }
    }
}
