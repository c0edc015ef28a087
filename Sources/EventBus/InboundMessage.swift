/// A message as a transport delivers it, before it is decoded.
public struct InboundMessage: Sendable, Equatable {
    /// The channel (event type) it arrived on.
    public var channel: String
    /// The raw bytes, exactly as published.
    public var payload: [UInt8]
    /// The transport's id of the delivery (a stream entry id); `nil` on pub/sub.
    public var deliveryID: String?
    /// How many times it has been delivered, counting this one; 1 on pub/sub.
    public var deliveryCount: Int
    /// The stream it was read from when that is not `channel` itself: on a Redis Cluster, the partition's
    /// share of the type's stream (`order.created{p07}`), where it is acknowledged.
    public var stream: String?

    /// Creates a message.
    public init(
        channel: String, payload: [UInt8], deliveryID: String? = nil, deliveryCount: Int = 1, stream: String? = nil
    ) {
        self.channel = channel
        self.payload = payload
        self.deliveryID = deliveryID
        self.deliveryCount = deliveryCount
        self.stream = stream
    }
}
