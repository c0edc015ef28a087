/// A message read as an event, with the key of the record it concerns, waiting in `RecordLanes` for its turn.
///
/// Not generic over the service, so that the lanes' queues run as specialised code. A class, made once per
/// message: it passes from the runner's loop to the lanes, the scheduler and a child task, and a struct of
/// its dozen strings and buffers was copied (a retain each, and a release each when dropped) at every step.
final class DecodedMessage: Sendable {
    /// The message as it arrived.
    let message: InboundMessage
    /// The message read.
    let event: CloudEvent
    /// The key of the record the event concerns, hashed once for `RecordLanes`.
    let lane: LaneKey
    /// When it was read, for the time its handling took.
    let received: ContinuousClock.Instant

    init(message: InboundMessage, event: CloudEvent, lane: LaneKey, received: ContinuousClock.Instant) {
        self.message = message
        self.event = event
        self.lane = lane
        self.received = received
    }

    /// The key of the record the event concerns.
    var key: String { lane.text }
}
