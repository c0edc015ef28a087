import Synchronization

/// The runner's per-record state: a queue per record, so a record's messages are handled one after
/// another in arrival order, and the last version of each record the runner committed or was shown, as
/// `Known` (the runner keeps the service's record read once: `VersionedRecord`).
///
/// Knowing the record saves reading it from the broker, and its fields as the service's record, before each
/// decision: the commit's version check tells when the knowledge was stale, and then the broker's answer
/// replaces it. Records are remembered in two generations of at most `capacity / 2` each, the older dropped
/// whole when the newer fills, so memory stays bounded while the records of orders in flight are kept.
final class RecordLanes<Work: Sendable, Known: Sendable>: Sendable {
    private struct State {
        var queues: [String: [Work]] = [:]
        var recent: [String: Known] = [:]
        var older: [String: Known] = [:]
    }

    private let state = Mutex(State())
    private let generationSize: Int

    /// Creates empty lanes.
    /// - Parameter capacity: about how many records are remembered at most.
    init(capacity: Int = 16_384) {
        generationSize = max(capacity / 2, 1)
    }

    /// Queues `work` for `key`; returns true when the record had nothing in flight, so the caller starts it.
    func enqueue(_ work: Work, key: String) -> Bool {
        state.withLock { state in
            if state.queues[key] != nil {
                state.queues[key]!.append(work)
                return false
            }
            state.queues[key] = []
            return true
        }
    }

    /// The next work of the same record, or `nil` (and the record's lane closes).
    func next(after key: String) -> Work? {
        state.withLock { state in
            guard var waiting = state.queues[key], !waiting.isEmpty else {
                state.queues[key] = nil
                return nil
            }
            let next = waiting.removeFirst()
            state.queues[key] = waiting
            return next
        }
    }

    /// The last known version of the record, or `nil` when none is known (it is then assumed absent).
    func known(_ key: String) -> Known? {
        state.withLock { $0.recent[key] ?? $0.older[key] }
    }

    /// Remembers what the record holds now; `nil` forgets it.
    func remember(_ record: Known?, for key: String) {
        state.withLock { state in
            guard let record else {
                state.recent[key] = nil
                state.older[key] = nil
                return
            }
            if state.recent[key] == nil, state.recent.count >= generationSize {
                state.older = state.recent
                state.recent = [:]
            }
            state.recent[key] = record
        }
    }
}
