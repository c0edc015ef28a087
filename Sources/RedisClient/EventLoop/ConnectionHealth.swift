import Resilience

/// Whether a connection works, and when to try again after it did not: the backoff after failed attempts,
/// and whether a change is news worth one log line. Shared by clients and subscriptions.
struct ConnectionHealth {
    private var backoff: Backoff
    /// Whether the last attempt failed or the connection was lost, with nothing working since.
    private(set) var isFailing = false
    /// When the next attempt may start, after a failed one.
    private(set) var retryAt: ContinuousClock.Instant?
    private var lastFailure: RedisError?

    init(backoff: Backoff) {
        self.backoff = backoff
    }

    /// Records a failed attempt and when to retry, after a backoff with jitter.
    /// - Returns: whether this is news, i.e. things worked until now.
    mutating func attemptFailed(_ error: RedisError, at now: ContinuousClock.Instant) -> Bool {
        retryAt = now + backoff.next()
        lastFailure = error
        defer { isFailing = true }
        return !isFailing
    }

    /// Records that a working connection broke; reconnecting may start at once.
    /// - Returns: whether this is news.
    mutating func lost() -> Bool {
        defer { isFailing = true }
        return !isFailing
    }

    /// Records a working connection.
    /// - Returns: whether it is news, i.e. the connection had failed before.
    mutating func established() -> Bool {
        retryAt = nil
        lastFailure = nil
        backoff.reset()
        defer { isFailing = false }
        return isFailing
    }

    /// The error to fail a request with at once while backing off after a failed attempt, if so.
    func refusal(at now: ContinuousClock.Instant, url: RedisURL) -> RedisError? {
        guard let retryAt, now < retryAt, let lastFailure else { return nil }
        return RedisError(.unavailable, "Redis at \(url) is unreachable, retrying shortly: \(lastFailure.message)")
    }
}
