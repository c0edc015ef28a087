/// Polls `condition` until it holds or `timeout` runs out.
///
/// For things that happen soon but not at once (a subscription reaching the server, a process printing a
/// line); the timeout is generous and nothing measures how fast it happened.
/// - Parameters:
///   - timeout: how long to keep trying.
///   - interval: the pause between tries.
///   - condition: the check; an error counts as "not yet".
/// - Returns: whether the condition held in time.
public func eventually(
    within timeout: Duration = .seconds(10), every interval: Duration = .milliseconds(20),
    _ condition: () async throws -> Bool
) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while true {
        if (try? await condition()) == true { return true }
        if ContinuousClock.now >= deadline || Task.isCancelled { return false }
        try? await Task.sleep(for: interval)
    }
}
