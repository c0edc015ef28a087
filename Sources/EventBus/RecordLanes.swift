import Synchronization

/// The runner's per-record state: a queue per record, so a record's messages are handled one after
/// another in arrival order, and the last version of each record the runner committed or was shown, as
/// `Known` (the runner keeps the service's record read once: `VersionedRecord`).
///
/// Knowing the record saves reading it from the broker, and its fields as the service's record, before each
/// decision: the commit's version check tells when the knowledge was stale, and then the broker's answer
/// replaces it. Records are remembered in two generations of at most `capacity / 2` each, the older dropped
/// whole when the newer fills, so memory stays bounded while the records of orders in flight are kept.
///
/// A message takes three turns of the lock, each finding its key (`LaneKey`, hashed once) once per table it reads: `enqueue`, which
/// hands the work that opens a lane out with the record as last known; `remember` (once per commit); and
/// `next`, which hands out the next work of the lane with the record, or closes the lane. While a lane is
/// open only its own work changes its record, so the record handed out with a work is still the last known
/// when that work starts.
final class RecordLanes<Work: Sendable, Known: Sendable>: Sendable {
    /// What became of a work given to `enqueue`.
    enum Admission {
        /// The record had nothing in flight: the caller starts the work, on the record as last known (`nil`:
        /// none known, assumed absent).
        case started(Known?)
        /// It waits behind the record's work in flight, and comes out of `next(after:)`.
        case queued
    }

    /// The works of one record waiting behind the one in flight; a record with none in flight has no lane.
    private struct Lane {
        var waiting: [Work] = []
    }

    private struct State {
        var lanes: [LaneKey: Lane] = [:]
        var recent: [LaneKey: Known] = [:]
        var older: [LaneKey: Known] = [:]

        func known(_ key: LaneKey) -> Known? {
            recent[key] ?? older[key]
        }
    }

    private let state = Mutex(State())
    private let generationSize: Int

    /// Creates empty lanes.
    /// - Parameter capacity: about how many records are remembered at most.
    init(capacity: Int = 16_384) {
        generationSize = max(capacity / 2, 1)
    }

    /// Queues `work` for `key`: it starts now when the record had nothing in flight (the caller runs it), or
    /// waits its turn.
    func enqueue(_ work: Work, key: LaneKey) -> Admission {
        state.withLock { state in
            if let index = state.lanes.index(forKey: key) {
                state.lanes.values[index].waiting.append(work)
                return .queued
            }
            state.lanes[key] = Lane()
            return .started(state.known(key))
        }
    }

    /// The next work of the same record, with the record as last known; `nil` when none waits (the record's
    /// lane closes).
    func next(after key: LaneKey) -> (work: Work, known: Known?)? {
        state.withLock { state in
            guard let index = state.lanes.index(forKey: key) else { return nil }
            guard !state.lanes.values[index].waiting.isEmpty else {
                state.lanes.remove(at: index)
                return nil
            }
            return (state.lanes.values[index].waiting.removeFirst(), state.known(key))
        }
    }

    /// The last known version of the record, or `nil` when none is known (it is then assumed absent).
    func known(_ key: LaneKey) -> Known? {
        state.withLock { $0.known(key) }
    }

    /// Remembers what the record holds now; `nil` forgets it.
    func remember(_ record: Known?, for key: LaneKey) {
        state.withLock { state in
            guard let record else {
                state.recent[key] = nil
                state.older[key] = nil
                return
            }
            guard state.recent.updateValue(record, forKey: key) == nil, state.recent.count > generationSize
            else { return }
            // The newer generation is full: it becomes the older, and the record starts the next.
            state.recent[key] = nil
            state.older = state.recent
            state.recent = Dictionary(minimumCapacity: generationSize)
            state.recent[key] = record
        }
    }
}
