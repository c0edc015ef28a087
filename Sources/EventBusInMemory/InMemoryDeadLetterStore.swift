import EventBus

/// A dead-letter store in memory that keeps every letter it is given, for unit tests.
public actor InMemoryDeadLetterStore: DeadLetterStore {
    /// The stored letters, oldest first, each with its id.
    public private(set) var letters: [DeadLetter] = []
    private var lastID = 0

    /// Creates an empty store.
    public init() {}

    @discardableResult
    public func add(_ letter: DeadLetter) async throws(EventBusError) -> String {
        lastID += 1
        var stored = letter
        stored.id = "dl-\(lastID)"
        letters.append(stored)
        return "dl-\(lastID)"
    }

    public func list(limit: Int) async throws(EventBusError) -> [DeadLetter] {
        Array(letters.prefix(limit))
    }

    @discardableResult
    public func remove(ids: [String]) async throws(EventBusError) -> Int {
        let before = letters.count
        letters.removeAll { $0.id.map(ids.contains) ?? false }
        return before - letters.count
    }
}
