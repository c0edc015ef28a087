import Synchronization

/// The function library loads a client has under way, so that callers who find the same library missing at
/// the same time share one `FUNCTION LOAD` instead of each sending its own.
///
/// A server that just started, was flushed or holds another release's version of a library gets the first
/// calls of every caller together, each finding its function missing; loading a library takes Redis
/// ~150 µs of work that blocks everything else (`switchboard_bus`), and a hundred concurrent first calls
/// sent a hundred loads. The first caller to find a library missing loads it; the others wait for that load,
/// take its outcome (a refusal is theirs too), and call again. A load is keyed by the library and, on a Redis
/// Cluster, by the hash slot it is routed by, so each node still gets its own.
final class FunctionLibraryLoads: Sendable {
    /// The callers waiting for each load under way, by key.
    private let waiting = Mutex<[String: [UnsafeContinuation<RedisError?, Never>]]>([:])

    /// Runs `load` as the load of `key`, or, when one is under way, waits for it instead.
    /// - Throws: what that load threw.
    func load(_ key: String, _ load: () async throws(RedisError) -> Void) async throws(RedisError) {
        let isUnderWay = waiting.withLock { loads in
            if loads[key] != nil { return true }
            loads[key] = []
            return false
        }
        if isUnderWay {
            let failure = await withUnsafeContinuation { continuation in
                let joined = waiting.withLock { loads in
                    guard loads[key] != nil else { return false }
                    loads[key]?.append(continuation)
                    return true
                }
                // The load ended between the two looks: the library is there (or the call will say why not).
                if !joined { continuation.resume(returning: nil) }
            }
            if let failure { throw failure }
            return
        }
        var failure: RedisError?
        do {
            try await load()
        } catch {
            failure = error
        }
        let waiters = waiting.withLock { $0.removeValue(forKey: key) ?? [] }
        for waiter in waiters { waiter.resume(returning: failure) }
        if let failure { throw failure }
    }
}
