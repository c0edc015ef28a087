import Resilience
import Testing

@Suite("Circuit breaker state machine")
struct CircuitBreakerMachineTests {
    let start = ContinuousClock.now

    @Test("closed lets calls through and opens at the failure threshold, not before")
    func opensAtThreshold() {
        var breaker = CircuitBreakerMachine(failureThreshold: 3, coolDown: .seconds(5))
        var permitted: [Bool] = []
        for _ in 0..<3 {
            permitted.append(breaker.permit(at: start))
            breaker.recordFailure(at: start)
            if permitted.count == 2 { #expect(breaker.state == .closed) }
        }
        #expect(permitted == [true, true, true])
        #expect(breaker.state == .open)
        let duringCoolDown = breaker.permit(at: start + .seconds(4))
        #expect(!duringCoolDown)
    }

    @Test("a success resets the count of failures in a row")
    func successResets() {
        var breaker = CircuitBreakerMachine(failureThreshold: 2, coolDown: .seconds(5))
        breaker.recordFailure(at: start)
        breaker.recordSuccess()
        breaker.recordFailure(at: start)
        #expect(breaker.state == .closed)
    }

    @Test("after the cool-down exactly one trial goes out; its success closes the breaker")
    func trialSuccessCloses() {
        var breaker = CircuitBreakerMachine(failureThreshold: 1, coolDown: .seconds(5))
        breaker.recordFailure(at: start)
        let trial = breaker.permit(at: start + .seconds(5))
        #expect(trial)
        #expect(breaker.state == .halfOpen)
        let secondTrial = breaker.permit(at: start + .seconds(5))
        #expect(!secondTrial, "only one trial at a time")
        breaker.recordSuccess()
        #expect(breaker.state == .closed)
        let afterClosing = breaker.permit(at: start + .seconds(5))
        #expect(afterClosing)
    }

    @Test("a failed trial opens the breaker for another cool-down")
    func trialFailureReopens() {
        var breaker = CircuitBreakerMachine(failureThreshold: 1, coolDown: .seconds(5))
        breaker.recordFailure(at: start)
        let trial = breaker.permit(at: start + .seconds(6))
        #expect(trial)
        breaker.recordFailure(at: start + .seconds(6))
        #expect(breaker.state == .open)
        let tooSoon = breaker.permit(at: start + .seconds(10))
        #expect(!tooSoon)
        let nextTrial = breaker.permit(at: start + .seconds(11))
        #expect(nextTrial)
    }
}
