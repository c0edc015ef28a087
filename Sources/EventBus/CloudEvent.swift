#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

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
    /// The payload.
    public var data: JSONValue {
        didSet { received = nil }
    }

    /// The message this event was decoded from, so payloads decode from its bytes in one pass; `nil`
    /// for events built in code or changed since.
    var received: ReceivedMessage?

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
        self.id = id
        self.source = source
        self.type = type
        self.time = time
        self.correlationID = correlationID
        self.causationID = causationID
        self.traceparent = traceparent
        self.data = data
    }

    public static func == (lhs: CloudEvent, rhs: CloudEvent) -> Bool {
        lhs.id == rhs.id && lhs.source == rhs.source && lhs.type == rhs.type && lhs.time == rhs.time
            && lhs.correlationID == rhs.correlationID && lhs.causationID == rhs.causationID
            && lhs.traceparent == rhs.traceparent && lhs.data == rhs.data
    }

    /// A new random event id.
    public static func newID() -> String {
        UUID().uuidString.lowercased()
    }

    /// A follow-up event: same correlation and trace, caused by this event.
    /// - Parameters:
    ///   - type: the new event's type.
    ///   - source: who produces it.
    ///   - data: its payload.
    public func caused(type: String, source: String, data: JSONValue) -> CloudEvent {
        CloudEvent(
            source: source, type: type, correlationID: correlationID ?? id, causationID: id,
            traceparent: traceparent, data: data
        )
    }

    /// Decodes the data into a service's payload type.
    /// - Throws: `CloudEventError` naming the field that is missing or of the wrong type, as `data.<path>`.
    public func decodeData<Payload: Decodable>(as type: Payload.Type) throws(CloudEventError) -> Payload {
        do {
            switch received {
            case .bare(let bytes)?:
                return try JSONDecoder().decode(Payload.self, from: bytes)
            case .envelope(let bytes)?:
                return try JSONDecoder().decode(DataMember<Payload>.self, from: bytes).data
            case nil:
                return try data.decode(as: Payload.self)
            }
        } catch let error as DecodingError {
            throw CloudEventError(decoding: error, in: "data")
        } catch {
            throw CloudEventError(.invalidField, "data: \(error)")
        }
    }
}

/// The bytes an event was decoded from: a bare payload (the data itself) or an envelope.
enum ReceivedMessage: Sendable {
    case bare(Data)
    case envelope(Data)
}

/// The `data` member of an envelope, decoded as a payload type without the rest.
private struct DataMember<Payload: Decodable>: Decodable {
    var data: Payload
}
