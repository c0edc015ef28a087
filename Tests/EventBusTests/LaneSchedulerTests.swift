import Containers
@testable import EventBus
import Synchronization
import Testing

/// Lanes to children: a child per lane up to the limit, then waiting lanes taken by the children that
/// finish, oldest first, and the runner held back while the limit of lanes waits.
@Suite("LaneScheduler")
struct LaneSchedulerTests {
    @Test("up to the limit each lane gets a child; beyond it lanes wait and finishing children take them in order")
    func admitsThenQueues() async {
        let scheduler = LaneScheduler<Int>(limit: 2)
        #expect(scheduler.admit(1))
        #expect(scheduler.admit(2))
        #expect(!scheduler.admit(3))
        #expect(!scheduler.admit(4))
        #expect(await scheduler.next() == 3)
        #expect(await scheduler.next() == 4)
        #expect(scheduler.childCount == (alive: 2, parked: 0))
    }

    @Test("a child with nothing to do parks; the next lane goes to it, not to a new child; close ends parked children")
    func parkedChildrenTakeNewLanes() async {
        let scheduler = LaneScheduler<Int>(limit: 4)
        #expect(scheduler.admit(1), "no child yet: the first lane starts one")
        await withTaskGroup(of: Int?.self) { group in
            group.addTask { await scheduler.next() }
            while scheduler.childCount.parked < 1 { await Task.yield() }
            #expect(scheduler.childCount == (alive: 1, parked: 1))
            #expect(!scheduler.admit(2), "a parked child takes the lane")
            #expect(await group.next() == 2)
            #expect(scheduler.childCount == (alive: 1, parked: 0))
            group.addTask { await scheduler.next() }
            while scheduler.childCount.parked < 1 { await Task.yield() }
            scheduler.close()
            #expect(await group.next() == .some(nil), "closed: the parked child ends")
        }
        #expect(scheduler.childCount == (alive: 0, parked: 0))
    }

    @Test("closing lets waiting lanes be taken before the children end")
    func closeDrainsWaitingLanes() async {
        let scheduler = LaneScheduler<Int>(limit: 1)
        #expect(scheduler.admit(1))
        #expect(!scheduler.admit(2))
        scheduler.close()
        #expect(await scheduler.next() == 2)
        #expect(await scheduler.next() == nil)
        #expect(scheduler.childCount == (alive: 0, parked: 0))
    }

    @Test("a queue that never drains (a runner kept busy) holds no more than what waits, not every lane it held")
    func busyQueueStaysSmall() async {
        let scheduler = LaneScheduler<Int>(limit: 4)
        for lane in 0..<4 { #expect(scheduler.admit(lane)) }
        for lane in 4..<8 { #expect(!scheduler.admit(lane)) }
        var taken: [Int] = []
        for lane in 8..<20_000 {
            #expect(!scheduler.admit(lane))
            taken.append(await scheduler.next()!)
            #expect(scheduler.storedSlots <= 2 * FIFOQueue<Int>.compactionThreshold + 8, "after \(lane) lanes")
        }
        #expect(taken == Array(4..<19_996), "handed out oldest first")
    }

    @Test("a limit below one still runs one child")
    func limitOfAtLeastOne() {
        let scheduler = LaneScheduler<Int>(limit: 0)
        #expect(scheduler.limit == 1)
        #expect(scheduler.admit(1))
        #expect(!scheduler.admit(2))
    }

    @Test("the runner waits while the limit of lanes waits, until a child takes one")
    func waitsForRoom() async {
        let scheduler = LaneScheduler<Int>(limit: 1)
        #expect(scheduler.admit(1))
        await scheduler.waitForRoom()  // nothing waits yet: returns at once
        #expect(!scheduler.admit(2))
        let resumed = Shared(false)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await scheduler.waitForRoom()
                resumed.value.withLock { $0 = true }
            }
            for _ in 0..<50 { await Task.yield() }
            #expect(!resumed.value.withLock { $0 }, "one lane waits, the limit: no room yet")
            #expect(await scheduler.next() == 2)
            await group.waitForAll()
        }
        #expect(resumed.value.withLock { $0 })
    }

    @Test("thousands of lanes from one producer and eight children: each is handled once, none is left")
    func manyLanes() async {
        let scheduler = LaneScheduler<Int>(limit: 8)
        let handled = Shared<[Int]>([])
        let started = Shared(0)
        await withDiscardingTaskGroup { group in
            for lane in 0..<5_000 {
                if lane % 100 == 0 {
                    // Now and then let every child finish and park, so lanes go to parked children too.
                    for _ in 0..<20 { await Task.yield() }
                }
                guard scheduler.admit(lane) else {
                    await scheduler.waitForRoom()
                    continue
                }
                started.value.withLock { $0 += 1 }
                group.addTask {
                    var next = Optional(lane)
                    while let current = next {
                        handled.value.withLock { $0.append(current) }
                        await Task.yield()
                        next = await scheduler.next()
                    }
                }
            }
            scheduler.close()
        }
        #expect(handled.value.withLock { $0.sorted() } == Array(0..<5_000))
        #expect(started.value.withLock { $0 } <= 8, "never more children than the limit")
        #expect(scheduler.childCount == (alive: 0, parked: 0), "closed: every child ended")
    }
}

/// A value the test and its child tasks share.
private final class Shared<Value: Sendable>: Sendable {
    let value: Mutex<Value>

    init(_ value: Value) {
        self.value = Mutex(value)
    }
}
