@testable import EventBus
import Testing

/// `RecordLanes`: a record's works one after another, each handed out with the record as last known.
@Suite("RecordLanes")
struct RecordLanesTests {
    @Test("the first work of a record starts with its known record; the others wait and come out in order")
    func lanes() {
        let lanes = RecordLanes<Int, String>()
        let (a, b) = (LaneKey("a"), LaneKey("b"))
        guard case .started(nil) = lanes.enqueue(1, key: a) else { Issue.record("the first work waits"); return }
        guard case .queued = lanes.enqueue(2, key: a) else { Issue.record("a second work starts"); return }
        guard case .queued = lanes.enqueue(3, key: a) else { Issue.record("a third work starts"); return }
        guard case .started(nil) = lanes.enqueue(10, key: b) else { Issue.record("another record waits"); return }
        lanes.remember("a1", for: LaneKey("a"))
        let second = lanes.next(after: a)
        #expect(second?.work == 2 && second?.known == "a1")
        lanes.remember("a2", for: LaneKey("a"))
        let third = lanes.next(after: a)
        #expect(third?.work == 3 && third?.known == "a2")
        #expect(lanes.next(after: a) == nil)
        // The lane closed: the next work starts at once, on the record as last known.
        guard case .started("a2") = lanes.enqueue(4, key: a) else { Issue.record("a closed lane waits"); return }
        #expect(lanes.known(LaneKey("a")) == "a2")
    }

    @Test("records are remembered in two generations: the older is dropped whole when the newer fills")
    func generations() {
        let lanes = RecordLanes<Int, String>(capacity: 4)
        lanes.remember("a", for: LaneKey("a"))
        lanes.remember("b", for: LaneKey("b"))
        lanes.remember("b2", for: LaneKey("b"))
        // The newer generation (two records) is full: `c` starts the next one, `a` and `b` are kept as older.
        lanes.remember("c", for: LaneKey("c"))
        #expect(lanes.known(LaneKey("a")) == "a" && lanes.known(LaneKey("b")) == "b2" && lanes.known(LaneKey("c")) == "c")
        lanes.remember("d", for: LaneKey("d"))
        lanes.remember("e", for: LaneKey("e"))
        #expect(lanes.known(LaneKey("a")) == nil && lanes.known(LaneKey("b")) == nil)
        #expect(lanes.known(LaneKey("c")) == "c" && lanes.known(LaneKey("d")) == "d" && lanes.known(LaneKey("e")) == "e")
        lanes.remember(nil, for: LaneKey("e"))
        lanes.remember(nil, for: LaneKey("c"))
        #expect(lanes.known(LaneKey("e")) == nil && lanes.known(LaneKey("c")) == nil)
    }
}
