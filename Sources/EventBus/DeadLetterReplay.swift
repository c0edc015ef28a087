/// Replays dead letters: publishes each one again, exactly as it arrived, on its channel through a
/// transport (`PUBLISH` or `XADD`), then removes it from the store. `switchboard dlq replay` and the
/// ingress's `POST /deadletters/{id}/replay` both do it through this, so they cannot drift apart.
public struct DeadLetterReplay: Sendable {
    /// Why a replay did not happen.
    public enum Failure: Error, Sendable, Equatable {
        /// No stored dead letter has these ids (nothing was replayed).
        case missing([String])
        /// The store or the transport failed: `message` says which letter and why.
        case unavailable(String)

        /// A sentence a person can act on.
        public var message: String {
            switch self {
            case .missing(let ids): "no dead letter with id \(ids.joined(separator: ", "))"
            case .unavailable(let message): message
            }
        }
    }

    /// The most dead letters read or replayed at once.
    public static let limit = 10_000

    private let store: any DeadLetterStore
    private let transport: any EventTransport

    /// Creates a replay.
    /// - Parameters:
    ///   - store: where the dead letters are kept.
    ///   - transport: where they are published again.
    public init(store: any DeadLetterStore, transport: any EventTransport) {
        self.store = store
        self.transport = transport
    }

    /// The stored dead letters, oldest first, at most `limit`.
    public func list() async throws(Failure) -> [DeadLetter] {
        do {
            return try await store.list(limit: Self.limit)
        } catch {
            throw .unavailable(error.message)
        }
    }

    /// Replays the dead letters with `ids` (every stored one when `ids` is empty), in the store's order.
    /// - Returns: the letters replayed.
    /// - Throws: `.missing` before replaying anything when an id is not stored; `.unavailable` when the
    ///   broker fails (the letters replayed before it stay replayed).
    @discardableResult
    public func replay(_ ids: [String]) async throws(Failure) -> [DeadLetter] {
        let letters = try await list()
        let missing = ids.filter { id in !letters.contains { $0.id == id } }
        guard missing.isEmpty else { throw .missing(missing) }
        let chosen = ids.isEmpty ? letters : letters.filter { ids.contains($0.id ?? "") }
        for letter in chosen {
            do {
                _ = try await transport.publish(raw: letter.payload, on: letter.channel)
                try await store.remove(ids: [letter.id ?? ""])
            } catch {
                throw .unavailable("replaying \(letter.id ?? "?") failed: \(error.message)")
            }
        }
        return chosen
    }
}
