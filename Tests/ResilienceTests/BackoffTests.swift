import Resilience
import Testing

@Suite("Backoff")
struct BackoffTests {
    @Test("each delay lies in the upper half of its step, and steps double up to the cap")
    func delaysGrowWithJitterUpToTheCap() {
        var backoff = Backoff(initial: .milliseconds(100), maximum: .milliseconds(800), multiplier: 2)
        let steps: [Duration] = [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800),
                                 .milliseconds(800), .milliseconds(800)]
        for step in steps {
            let delay = backoff.next()
            #expect(delay >= step / 2, "delay \(delay) below half of step \(step)")
            #expect(delay <= step, "delay \(delay) above step \(step)")
        }
    }

    @Test("reset starts again from the first step")
    func resetStartsOver() {
        var backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(10), multiplier: 2)
        for _ in 0..<5 { _ = backoff.next() }
        backoff.reset()
        #expect(backoff.next() <= .milliseconds(100))
    }
}
