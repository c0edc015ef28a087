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
/// A message takes three turns of the lock, each finding its key (`LaneKey`, hashed once) once per table it
/// reads: `enqueue`, which hands the message that opens a lane out with the record as last known; `remember`
/// (once per commit); and `next`, which hands out the next message of the lane with the record, or closes the
/// lane. While a lane is open only its own messages change its record, so the record handed out with a message
/// is still the last known when that message starts. Every table is keyed by `LaneKey` and holds a concrete
/// type (messages, or the index of a record in a generation), so lookups run as specialised code.
final class RecordLanes<Known: Sendable>: Sendable {
    /// What became of a message given to `enqueue`.
    enum Admission {
        /// The record had nothing in flight: the caller starts the message, on the record as last known (`nil`:
        /// none known, assumed absent).
        case started(Known?)
        /// It waits behind the record's message in flight, and comes out of `next(after:)`.
        case queued
    }

    /// One generation of remembered records: where each key's record is, and the records (`nil`: forgotten).
    private struct Generation {
        var indexes: [LaneKey: Int] = [:]
        var records: [Known?] = []

        subscript(key: LaneKey) -> Known? {
            indexes[key].flatMap { records[$0] }
        }
    }

    private struct State {
        /// The messages of each record waiting behind the one in flight; a record with none in flight has none.
        var lanes: [LaneKey: [DecodedMessage]] = [:]
        var recent = Generation()
        var older = Generation()

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

    /// Queues `message` for `key`: it starts now when the record had nothing in flight (the caller runs it), or
    /// waits its turn.
    func enqueue(_ message: DecodedMessage, key: LaneKey) -> Admission {
        state.withLock { state in
            if let index = state.lanes.index(forKey: key) {
                state.lanes.values[index].append(message)
                return .queued
            }
            state.lanes[key] = []
            return .started(state.known(key))
        }
    }

    /// The next message of the same record, with the record as last known; `nil` when none waits (the record's
    /// lane closes).
    func next(after key: LaneKey) -> (message: DecodedMessage, known: Known?)? {
        state.withLock { state in
            guard let index = state.lanes.index(forKey: key) else { return nil }
            guard !state.lanes.values[index].isEmpty else {
                state.lanes.remove(at: index)
                return nil
            }
            return (state.lanes.values[index].removeFirst(), state.known(key))
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
                if let index = state.recent.indexes[key] { state.recent.records[index] = nil }
                if let index = state.older.indexes[key] { state.older.records[index] = nil }
                return
            }
            if let index = state.recent.indexes[key] {
                state.recent.records[index] = record
                return
            }
            if state.recent.records.count >= generationSize {
                // The newer generation is full: it becomes the older, and the record starts the next.
                state.older = state.recent
                state.recent = Generation()
                state.recent.indexes.reserveCapacity(generationSize)
                state.recent.records.reserveCapacity(generationSize)
            }
            state.recent.indexes[key] = state.recent.records.count
            state.recent.records.append(record)
        }
    }
}
