#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import EventBus

extension CloudEvent {
    /// Decodes the data as a saga payload that names an order, and checks that `orderId` is not empty.
    /// - Throws: `CloudEventError` naming the missing or mistyped field.
    public func payload<Payload: Decodable & OrderScoped>(_ type: Payload.Type) throws(CloudEventError) -> Payload {
        let payload = try decodeData(as: Payload.self)
        guard !payload.orderId.isEmpty else {
            throw CloudEventError(.invalidField, "data.orderId must not be empty")
        }
        return payload
    }

    /// The `orderId` of the data, for choosing the record an event concerns.
    /// - Throws: `CloudEventError` when it is missing, not a string, or empty.
    public func orderID() throws(CloudEventError) -> String {
        let id = try decodeData(as: OrderReference.self).orderId
        guard !id.isEmpty else { throw CloudEventError(.invalidField, "data.orderId must not be empty") }
        return id
    }
}

/// The one field every saga payload has.
private struct OrderReference: Decodable {
    var orderId: String
}

/// A payload that belongs to one order.
public protocol OrderScoped {
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
