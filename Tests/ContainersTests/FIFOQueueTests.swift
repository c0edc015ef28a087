import Containers
import Testing

@Suite("FIFOQueue")
struct FIFOQueueTests {
    @Test("hands elements back in order across compactions and reuse")
    func order() {
        var queue = FIFOQueue<Int>()
        #expect(queue.isEmpty && queue.first == nil && queue.popFirst() == nil)
        var expected = 0
        var next = 0
        for round in 0..<50 {
            for _ in 0..<(round * 97 % 3_000) {
                queue.append(next)
                next += 1
            }
            for _ in 0..<(queue.count / 2 + 1) where !queue.isEmpty {
                #expect(queue.first == expected)
                #expect(queue.removeFirst() == expected)
                expected += 1
            }
        }
        let rest = queue.removeAll()
        #expect(rest == Array(expected..<next))
        #expect(queue.isEmpty && queue.count == 0)
        queue.append(7)
        #expect(queue.popFirst() == 7)
        #expect(queue.popFirst() == nil)
    }

    @Test("a queue that never drains keeps about as many slots as it holds")
    func neverDrainingQueueStaysSmall() {
        var queue = FIFOQueue<Int>()
        var expected = 0
        for value in 0..<10 {
            queue.append(value)
        }
        for value in 10..<100_000 {
            queue.append(value)
            #expect(queue.popFirst() == expected)
            expected += 1
        }
        #expect(queue.count == 10)
        #expect(queue.storedSlots <= 2 * (FIFOQueue<Int>.compactionThreshold + 10))
    }

    @Test("removeAll returns what is left, oldest first, and leaves the queue usable")
    func removeAllAfterPops() {
        var queue = FIFOQueue<String>()
        for word in ["a", "b", "c", "d"] {
            queue.append(word)
        }
        #expect(queue.removeFirst() == "a")
        #expect(queue.removeAll() == ["b", "c", "d"])
        #expect(queue.isEmpty && queue.first == nil)
        queue.append("e")
        #expect(queue.first == "e" && queue.count == 1)
    }
}
