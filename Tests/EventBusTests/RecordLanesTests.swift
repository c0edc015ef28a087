@testable import EventBus
import Testing

/// `RecordLanes`: a record's works one after another, each handed out with the record as last known.
@Suite("RecordLanes")
struct RecordLanesTests {
    @Test("the first work of a record starts with its known record; the others wait and come out in order")
    func lanes() {
        let lanes = RecordLanes<Int, String>()
        guard case .started(nil) = lanes.enqueue(1, key: "a") else { Issue.record("the first work waits"); return }
        guard case .queued = lanes.enqueue(2, key: "a") else { Issue.record("a second work starts"); return }
        guard case .queued = lanes.enqueue(3, key: "a") else { Issue.record("a third work starts"); return }
        guard case .started(nil) = lanes.enqueue(10, key: "b") else { Issue.record("another record waits"); return }
        lanes.remember("a1", for: "a")
        let second = lanes.next(after: "a")
        #expect(second?.work == 2 && second?.known == "a1")
        lanes.remember("a2", for: "a")
        let third = lanes.next(after: "a")
        #expect(third?.work == 3 && third?.known == "a2")
        #expect(lanes.next(after: "a") == nil)
        // The lane closed: the next work starts at once, on the record as last known.
        guard case .started("a2") = lanes.enqueue(4, key: "a") else { Issue.record("a closed lane waits"); return }
        #expect(lanes.known("a") == "a2")
    }

    @Test("records are remembered in two generations: the older is dropped whole when the newer fills")
    func generations() {
        let lanes = RecordLanes<Int, String>(capacity: 4)
        lanes.remember("a", for: "a")
        lanes.remember("b", for: "b")
        lanes.remember("b2", for: "b")
        // The newer generation (two records) is full: `c` starts the next one, `a` and `b` are kept as older.
        lanes.remember("c", for: "c")
        #expect(lanes.known("a") == "a" && lanes.known("b") == "b2" && lanes.known("c") == "c")
        lanes.remember("d", for: "d")
        lanes.remember("e", for: "e")
        #expect(lanes.known("a") == nil && lanes.known("b") == nil)
        #expect(lanes.known("c") == "c" && lanes.known("d") == "d" && lanes.known("e") == "e")
        lanes.remember(nil, for: "e")
        lanes.remember(nil, for: "c")
        #expect(lanes.known("e") == nil && lanes.known("c") == nil)
    }
}
