#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A message that could not be processed, kept with why, so a person can look at it and replay it.
public struct DeadLetter: Sendable, Equatable {
    /// The store's id; `nil` until stored.
    public var id: String?
    /// The channel it arrived on.
    public var channel: String
    /// The service that gave up on it.
    public var service: String
    /// Why, e.g. `data.items is missing`.
    public var reason: String
    /// The message exactly as it arrived.
    public var payload: [UInt8]
    /// When it was dead-lettered, UTC.
    public var time: Date

    /// Creates a dead letter.
    public init(
        id: String? = nil, channel: String, service: String, reason: String, payload: [UInt8], time: Date = Date()
    ) {
        self.id = id
        self.channel = channel
        self.service = service
        self.reason = reason
        self.payload = payload
        self.time = time
    }
}
