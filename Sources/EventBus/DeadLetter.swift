#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSONBytes

/// A message that could not be processed, kept with why, so a person can look at it and replay it.
public struct DeadLetter: Sendable, Equatable {
    /// The store's id; `nil` until stored.
    public var id: String?
    /// The channel it arrived on.
    public var channel: String
    /// The service that gave up on it.
    public var service: String
    /// Why, e.g. `data.items is missing`, with card numbers masked.
    public var reason: String
    /// The message as it arrived, with card numbers masked (`CardNumberMask`): a dead letter is kept until
    /// it is replayed or trimmed, so it must not keep a card number. A letter whose card number was masked
    /// cannot be replayed (`DeadLetterReplay.Failure.maskedCard`).
    public var payload: [UInt8]
    /// When it was dead-lettered, UTC.
    public var time: Date

    /// Creates a dead letter, masking the card numbers in `reason` and `payload`.
    public init(
        id: String? = nil, channel: String, service: String, reason: String, payload: [UInt8], time: Date = Date()
    ) {
        self.id = id
        self.channel = channel
        self.service = service
        self.reason = CardNumberMask.masked(reason)
        self.payload = CardNumberMask.masked(payload)
        self.time = time
    }
}
