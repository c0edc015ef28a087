import Resilience
import Synchronization
import Testing

/// One timer for many deadlines: they pass in time, cancelled ones never fire, an earlier one re-arms the
/// timer, and a sleep ends early when its task is cancelled.
@Suite("DeadlineTimer")
struct DeadlineTimerTests {
    @Test("100 sleepers with one deadline all wake, none before it")
    func sleepersWakeAtTheirDeadline() async {
        let timer = DeadlineTimer()
        let deadline = ContinuousClock.now + .milliseconds(50)
        let woken = await withTaskGroup(of: ContinuousClock.Instant.self) { group in
            for _ in 0..<100 {
                group.addTask {
                    await timer.sleep(until: deadline)
                    return .now
                }
            }
            return await group.reduce(into: [ContinuousClock.Instant]()) { $0.append($1) }
        }
        #expect(woken.count == 100)
        #expect(woken.allSatisfy { $0 >= deadline })
        #expect(timer.count == 0, "a deadline that passed is not kept")
    }

    @Test("an earlier deadline re-arms the timer armed for a later one")
    func earlierDeadlineRearms() async throws {
        let timer = DeadlineTimer()
        let late = timer.schedule(at: .now + .seconds(3600)) { Issue.record("the hour-long deadline fired") }
        let started = ContinuousClock.now
        await timer.sleep(until: .now + .milliseconds(20))
        #expect(ContinuousClock.now - started < .seconds(30), "woken by its own deadline, not the hour's")
        #expect(timer.count == 1)
        timer.cancel(late)
        #expect(timer.count == 0)
    }

    @Test("a cancelled deadline never runs its action; the others still do")
    func cancelledDeadlineNeverFires() async throws {
        let timer = DeadlineTimer()
        let fired = Mutex<[Int]>([])
        let deadline = ContinuousClock.now + .milliseconds(30)
        let tokens = (0..<10).map { index in
            timer.schedule(at: deadline) { fired.withLock { $0.append(index) } }
        }
        for (index, token) in tokens.enumerated() where index % 2 == 1 {
            timer.cancel(token)
        }
        await timer.sleep(until: deadline + .milliseconds(30))
        #expect(fired.withLock { $0.sorted() } == [0, 2, 4, 6, 8])
    }

    @Test("a sleep whose task is cancelled ends at once, before or while it is suspended")
    func cancelledSleepEndsEarly() async {
        let timer = DeadlineTimer()
        let sleeping = Task { await timer.sleep(until: .now + .seconds(3600)) }
        while timer.count == 0 { await Task.yield() }
        sleeping.cancel()
        let ended = await withTaskGroup(of: Bool.self) { group in
            group.addTask { await sleeping.value; return true }
            group.addTask { try? await Task.sleep(for: .seconds(30)); return false }
            let first = await group.next()!
            group.cancelAll()
            return first
        }
        #expect(ended, "the cancelled sleep returned")
        #expect(timer.count == 0)

        let alreadyCancelled = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            await timer.sleep(until: .now + .seconds(3600))
        }
        await alreadyCancelled.value
        #expect(timer.count == 0)
    }
}
