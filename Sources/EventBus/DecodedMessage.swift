/// A message read as an event, with the key of the record it concerns, waiting in `RecordLanes` for its turn.
///
/// Not generic over the service, so that the lanes' queues run as specialised code.
struct DecodedMessage: Sendable {
    /// The message as it arrived.
    var message: InboundMessage
    /// The message read.
    var event: CloudEvent
    /// The key of the record the event concerns, hashed once for `RecordLanes`.
    var lane: LaneKey
    /// When it was read, for the time its handling took.
    var received: ContinuousClock.Instant

    /// The key of the record the event concerns.
    var key: String { lane.text }
}
