/// Where messages that cannot be processed are kept, bounded in size.
public protocol DeadLetterStore: Sendable {
    /// Stores a dead letter and returns its id.
    @discardableResult
    func add(_ letter: DeadLetter) async throws(EventBusError) -> String

    /// The stored dead letters, oldest first, at most `limit`.
    func list(limit: Int) async throws(EventBusError) -> [DeadLetter]

    /// Removes dead letters by id, e.g. once replayed; returns how many were removed.
    @discardableResult
    func remove(ids: [String]) async throws(EventBusError) -> Int
}
