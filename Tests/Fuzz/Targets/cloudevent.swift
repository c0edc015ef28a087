import EventBus
import Foundation
import SagaEvents

/// The CloudEvent decoder, as every service meets a message from the bus: each input is read as arriving
/// on every saga channel (and one no service uses), and as a stored envelope.
///
/// Properties: a decoded event has the channel's type and non-empty id, source and type; encoding it and
/// decoding the envelope gives the same event (all attributes and data, the time to the encoder's
/// precision), and a second round changes nothing (the JSON's members may come in another order); a refusal carries a reason.
@_cdecl("LLVMFuzzerTestOneInput")
public func cloudEventTarget(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = FuzzCheck.bytes(data, size)
    for channel in EventTypes.all + ["test.other"] {
        check(Result { () throws(CloudEventError) in try CloudEvent(decoding: bytes, channel: channel) }, channel: channel)
    }
    check(Result { () throws(CloudEventError) in try CloudEvent(envelope: bytes) }, channel: nil)
    return 0
}

private func check(_ result: Result<CloudEvent, CloudEventError>, channel: String?) {
    switch result {
    case .failure(let error):
        FuzzCheck.require(!error.message.isEmpty, "a refusal without a reason (\(error.code))")
    case .success(let event):
        FuzzCheck.require(channel == nil || event.type == channel, "type \(event.type) decoded on channel \(channel ?? "")")
        FuzzCheck.require(!event.id.isEmpty && !event.source.isEmpty && !event.type.isEmpty, "empty attribute in \(event)")
        let once = roundTrip(event)
        FuzzCheck.require(once.id == event.id && once.source == event.source && once.type == event.type
            && once.correlationID == event.correlationID && once.causationID == event.causationID
            && once.traceparent == event.traceparent && once.data == event.data,
            "encode/decode changed the event: \(event) became \(once)")
        FuzzCheck.require(abs(once.time.timeIntervalSince(event.time)) < 0.001, "the time moved: \(event.time) → \(once.time)")
        let twice = roundTrip(once)
        FuzzCheck.require(twice == once && sameJSON(twice.encoded(), once.encoded()),
                          "a second round changed \(text(once)) to \(text(twice))")
    }
}

/// Whether two encodings hold the same JSON (members in any order).
private func sameJSON(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard let left = try? JSONSerialization.jsonObject(with: Data(a)) as? NSDictionary,
          let right = try? JSONSerialization.jsonObject(with: Data(b)) as? NSDictionary
    else { return false }
    return left.isEqual(right)
}

private func text(_ event: CloudEvent) -> String {
    String(decoding: event.encoded(), as: UTF8.self)
}

private func roundTrip(_ event: CloudEvent) -> CloudEvent {
    let encoded = event.encoded()
    do {
        return try CloudEvent(envelope: encoded)
    } catch {
        FuzzCheck.require(false, "its own encoding is refused (\(error.message)): \(String(decoding: encoded, as: UTF8.self))")
        return event
    }
}
