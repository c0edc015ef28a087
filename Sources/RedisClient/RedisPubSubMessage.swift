/// A message received on a subscribed channel.
public struct RedisPubSubMessage: Sendable, Equatable {
    /// The channel it was published on.
    public var channel: String
    /// The pattern that matched, for `PSUBSCRIBE`.
    public var pattern: String?
    /// The payload, binary-safe.
    public var payload: [UInt8]

    /// Creates a message.
    public init(channel: String, pattern: String? = nil, payload: [UInt8]) {
        self.channel = channel
        self.pattern = pattern
        self.payload = payload
    }
}
