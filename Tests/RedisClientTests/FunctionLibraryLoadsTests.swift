@testable import RedisClient
import Synchronization
import Testing

/// Callers that find a library missing together share one load, and its outcome.
@Suite("FunctionLibraryLoads")
struct FunctionLibraryLoadsTests {
    @Test("callers of one key during a load wait for it and share its refusal; other keys and later callers load")
    func sharesOneLoad() async throws {
        let loads = FunctionLibraryLoads()
        let seen = Seen()
        let refusal = RedisError(.server, "NOPERM this user has no permissions to run the 'function|load' command")
        let outcomes = await withTaskGroup(of: String.self) { group in
            for caller in 0..<20 {
                let key = caller == 10 ? "other" : "lib"
                group.addTask {
                    do throws(RedisError) {
                        seen.callers.add(1, ordering: .sequentiallyConsistent)
                        try await loads.load(key) { () async throws(RedisError) in
                            seen.runs.withLock { $0.append(key) }
                            // The load lasts until every caller has come to it, and a while more.
                            while seen.callers.load(ordering: .sequentiallyConsistent) < 20 {
                                try? await Task.sleep(for: .milliseconds(1))
                            }
                            try? await Task.sleep(for: .milliseconds(100))
                            throw refusal
                        }
                        return "loaded"
                    } catch {
                        return error.message
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.count == 20 && outcomes.allSatisfy { $0 == refusal.message }, "\(outcomes)")
        #expect(seen.runs.withLock { $0 }.sorted() == ["lib", "other"], "one load per key")

        // Once a load has ended, the next caller to find the library missing loads again.
        try await loads.load("lib") { () async throws(RedisError) in seen.runs.withLock { $0.append("lib") } }
        #expect(seen.runs.withLock { $0 }.filter { $0 == "lib" }.count == 2)
    }
}

/// What the loads of a test saw: which keys were loaded, and how many callers came to a load.
private final class Seen: Sendable {
    let runs = Mutex<[String]>([])
    let callers = Atomic(0)
}
