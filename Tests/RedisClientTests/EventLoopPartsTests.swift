@testable import RedisClient
import Resilience
import Testing

/// The event loop's pure parts, without a server: the reconnect bookkeeping.
@Suite("Event loop parts")
struct EventLoopPartsTests {
    @Test("ConnectionHealth: one news per change, unavailable only while backing off")
    func healthTransitions() throws {
        let url = try RedisURL("redis://127.0.0.1:1")
        let refused = RedisError(.connectionRefused, "refused")
        var health = ConnectionHealth(backoff: Backoff(initial: .seconds(1), maximum: .seconds(1)))
        let start = ContinuousClock.now
        #expect(health.refusal(at: start, url: url) == nil)
        let firstIsNews = health.attemptFailed(refused, at: start)
        let secondIsNews = health.attemptFailed(refused, at: start)
        #expect(firstIsNews && !secondIsNews, "the first failure is news, a second one is not")
        let retryAt = try #require(health.retryAt)
        #expect(retryAt > start && retryAt <= start + .seconds(1))
        #expect(health.refusal(at: start, url: url)?.code == .unavailable)
        #expect(health.refusal(at: retryAt, url: url) == nil, "after the backoff, the next request tries again")
        let recovered = health.established()
        let recoveredAgain = health.established()
        #expect(recovered && !recoveredAgain, "recovering is news once")
        #expect(health.retryAt == nil && health.refusal(at: start, url: url) == nil)
        let lost = health.lost()
        #expect(lost, "losing a working connection is news")
        #expect(health.retryAt == nil, "a lost connection is re-opened at once")
        let restored = health.established()
        #expect(restored)
    }
}
