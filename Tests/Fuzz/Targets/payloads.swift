import EventBus
import SagaEvents

/// Each event's data, as the services decode it: the input is read as a message on every saga channel and
/// its data as that channel's payload type.
///
/// Properties: a decoded payload has a non-empty `orderId`, the same as `orderID()`; published again in a new
/// event it decodes to the same payload; a refusal carries a reason.
@_cdecl("LLVMFuzzerTestOneInput")
public func payloadsTarget(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = FuzzCheck.bytes(data, size)
    check(OrderCreated.self, on: EventTypes.orderCreated, bytes)
    check(StockReserved.self, on: EventTypes.stockReserved, bytes)
    check(StockRejected.self, on: EventTypes.stockRejected, bytes)
    check(StockReleased.self, on: EventTypes.stockReleased, bytes)
    check(PaymentCompleted.self, on: EventTypes.paymentCompleted, bytes)
    check(PaymentFailed.self, on: EventTypes.paymentFailed, bytes)
    check(OrderConfirmed.self, on: EventTypes.orderConfirmed, bytes)
    check(OrderCancelled.self, on: EventTypes.orderCancelled, bytes)
    check(NotificationSent.self, on: EventTypes.notificationSent, bytes)
    return 0
}

private func check<Payload: Codable & Equatable & OrderScoped>(_ type: Payload.Type, on channel: String, _ bytes: [UInt8]) {
    guard let event = try? CloudEvent(decoding: bytes, channel: channel) else { return }
    let payload: Payload
    do {
        payload = try event.payload(Payload.self)
    } catch {
        FuzzCheck.require(!error.message.isEmpty, "a refused \(Payload.self) without a reason")
        return
    }
    FuzzCheck.require(!payload.orderId.isEmpty, "\(Payload.self) with an empty orderId")
    FuzzCheck.require((try? event.orderID()) == payload.orderId, "orderID() disagrees with \(payload)")
    let again = CloudEvent(source: "switchboard/fuzz", type: channel, correlationID: payload.orderId, traceparent: nil,
                           payload: payload)
    do {
        let decoded = try CloudEvent(decoding: again.encoded(), channel: channel).payload(Payload.self)
        FuzzCheck.require(decoded == payload, "\(payload) came back as \(decoded)")
    } catch {
        FuzzCheck.require(false, "\(payload) published again is refused: \(error.message)")
    }
}
