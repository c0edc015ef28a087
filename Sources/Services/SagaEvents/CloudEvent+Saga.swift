import EventBus
import JSONBytes

extension CloudEvent {
    /// Decodes the data as a saga payload that names an order, and checks that `orderId` is not empty. The
    /// saga's payload types are `JSONReadable`, and are read straight from the event's bytes, once per message
    /// (`decodeDataOnce(as:)`): the steps of a message's handling that each ask for it share one parse.
    /// - Throws: `CloudEventError` naming the missing or mistyped field.
    public func payload<Payload: Decodable & OrderScoped>(_ type: Payload.Type) throws(CloudEventError) -> Payload {
        let payload = try decodeDataOnce(as: Payload.self)
        guard !payload.orderId.isEmpty else {
            throw CloudEventError(.invalidField, "data.orderId must not be empty")
        }
        return payload
    }

    /// The `orderId` of the data, for choosing the record an event concerns: only that member is read from the
    /// data's bytes, up to it.
    /// - Throws: `CloudEventError` when it is missing, not a string, or empty.
    public func orderID() throws(CloudEventError) -> String {
        let id: String
        do {
            id = try Self.orderID(in: dataJSON)
        } catch {
            throw CloudEventError(reading: error, in: "data")
        }
        guard !id.isEmpty else { throw CloudEventError(.invalidField, "data.orderId must not be empty") }
        return id
    }

    /// The `orderId` member of the object `json`, reading no further than it.
    private static func orderID(in json: ArraySlice<UInt8>) throws(JSONReaderError) -> String {
        var reader = JSONReader(json)
        try reader.beginObject()
        while let key = try reader.nextMember() {
            guard key.equals("orderId") else {
                try reader.skipValue()
                continue
            }
            do {
                return try reader.readString()
            } catch {
                throw error.within(.member("orderId"))
            }
        }
        throw JSONReaderError(.missingMember, at: reader.offset, path: [.member("orderId")], "is missing")
    }
}

/// A payload that belongs to one order.
public protocol OrderScoped: Sendable {
    var orderId: String { get }
}

extension OrderCreated: OrderScoped {}
extension StockReserved: OrderScoped {}
extension StockRejected: OrderScoped {}
extension StockReleased: OrderScoped {}
extension PaymentCompleted: OrderScoped {}
extension PaymentFailed: OrderScoped {}
extension OrderConfirmed: OrderScoped {}
extension OrderCancelled: OrderScoped {}
extension NotificationSent: OrderScoped {}
