@testable import EventBus
import Testing

/// `RecordLanes`: a record's messages one after another, each handed out with the record as last known.
@Suite("RecordLanes")
struct RecordLanesTests {
    /// A message of the record `key`, told apart by its event id.
    static func message(_ id: String, key: LaneKey) -> DecodedMessage {
        let event = CloudEvent(id: id, source: "test", type: "tick", data: .null)
        return DecodedMessage(message: InboundMessage(channel: "tick", payload: event.encoded()), event: event,
                              lane: key, received: .now)
    }

    @Test("the first message of a record starts with its known record; the others wait and come out in order")
    func lanes() {
        let lanes = RecordLanes<String>()
        let (a, b) = (LaneKey("a"), LaneKey("b"))
        guard case .started(nil) = lanes.enqueue(Self.message("1", key: a), key: a) else {
            Issue.record("the first message waits")
            return
        }
        for id in ["2", "3"] {
            guard case .queued = lanes.enqueue(Self.message(id, key: a), key: a) else {
                Issue.record("message \(id) starts while another of its record is in flight")
                return
            }
        }
        guard case .started(nil) = lanes.enqueue(Self.message("10", key: b), key: b) else {
            Issue.record("another record's message waits")
            return
        }
        lanes.remember("a1", for: a)
        let second = lanes.next(after: a)
        #expect(second?.message.event.id == "2" && second?.known == "a1")
        lanes.remember("a2", for: a)
        let third = lanes.next(after: a)
        #expect(third?.message.event.id == "3" && third?.known == "a2")
        #expect(lanes.next(after: a) == nil)
        // The lane closed: the next message starts at once, on the record as last known.
        guard case .started("a2") = lanes.enqueue(Self.message("4", key: a), key: a) else {
            Issue.record("a closed lane keeps its message waiting")
            return
        }
        #expect(lanes.known(a) == "a2")
    }

    @Test("records are remembered in two generations: the older is dropped whole when the newer fills")
    func generations() {
        let lanes = RecordLanes<String>(capacity: 4)
        func known(_ key: String) -> String? { lanes.known(LaneKey(key)) }
        func remember(_ record: String?, _ key: String) { lanes.remember(record, for: LaneKey(key)) }
        remember("a", "a")
        remember("b", "b")
        remember("b2", "b")
        // The newer generation (two records) is full: `c` starts the next one, `a` and `b` are kept as older.
        remember("c", "c")
        #expect(known("a") == "a" && known("b") == "b2" && known("c") == "c")
        // A record of the older generation remembered again is found in the newer.
        remember("a2", "a")
        #expect(known("a") == "a2")
        // The newer generation (`c`, `a2`) is full again: `d` starts the next one, and `b` is dropped.
        remember("d", "d")
        #expect(known("b") == nil)
        #expect(known("a") == "a2" && known("c") == "c" && known("d") == "d")
        remember(nil, "d")
        remember(nil, "c")
        #expect(known("d") == nil && known("c") == nil && known("a") == "a2")
    }
}
