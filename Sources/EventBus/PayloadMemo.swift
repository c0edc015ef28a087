import Synchronization

/// The payload an event read from a message was first decoded to, kept with the event so that a later read
/// of the same type returns it instead of parsing the bytes again (`CloudEvent.decodeDataOnce(as:)`).
///
/// A message's payload is asked for more than once while it is handled (the service's `decide`, then its
/// `followUp`, and again after a conflict), always as the same type. The bytes never change, so the value
/// first read is the value every later read would give. A class, so that the copies of one event share it,
/// with a lock, as events are `Sendable`.
final class PayloadMemo: Sendable {
    private let kept = Mutex<(any Sendable)?>(nil)

    /// Creates an empty memo.
    init() {}

    /// The payload kept, when it is a `Payload`; otherwise the one `read` returns, which is then kept.
    /// - Throws: what `read` throws; nothing is kept then.
    func payload<Payload: Sendable, Failure: Error>(
        _ read: () throws(Failure) -> Payload
    ) throws(Failure) -> Payload {
        if let payload = kept.withLock({ $0 }) as? Payload { return payload }
        let payload = try read()
        kept.withLock { $0 = payload }
        return payload
    }
}
