import JSONBytes

/// Replays dead letters: publishes each one again, as it was stored, on its channel through a
/// transport (`PUBLISH` or `XADD`), then removes it from the store. `switchboard dlq replay` and the
/// ingress's `POST /deadletters/{id}/replay` both do it through this, so they cannot drift apart.
///
/// A letter is stored with its card numbers masked (`DeadLetter.payload`), so one that held a card number
/// no longer holds the card and is never replayed: asked for by id, the replay fails with `.maskedCard`
/// before anything is published; a replay of every letter leaves it in the store (where `list` shows it
/// until it is trimmed). Its order must be placed again. Letters of `order.created` events that carry a
/// vault token (as the ingress publishes them) hold no card number and replay as any other.
public struct DeadLetterReplay: Sendable {
    /// Why a replay did not happen.
    public enum Failure: Error, Sendable, Equatable {
        /// No stored dead letter has these ids (nothing was replayed).
        case missing([String])
        /// These letters held a card number, stored masked: replaying them could only fail again
        /// (nothing was replayed).
        case maskedCard([String])
        /// The store or the transport failed: `message` says which letter and why.
        case unavailable(String)

        /// A sentence a person can act on.
        public var message: String {
            switch self {
            case .missing(let ids): "no dead letter with id \(ids.joined(separator: ", "))"
            case .maskedCard(let ids):
                "dead letter \(ids.joined(separator: ", ")) held a card number, which is stored masked to its last "
                    + "four digits: it cannot be replayed; place the order again (POST /orders)"
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

    /// Replays the dead letters with `ids` (every stored one that holds no masked card number when `ids` is
    /// empty), in the store's order.
    /// - Returns: the letters replayed.
    /// - Throws: `.missing` before replaying anything when an id is not stored; `.maskedCard` before
    ///   replaying anything when a named letter held a card number; `.unavailable` when the broker fails
    ///   (the letters replayed before it stay replayed).
    @discardableResult
    public func replay(_ ids: [String]) async throws(Failure) -> [DeadLetter] {
        let letters = try await list()
        let missing = ids.filter { id in !letters.contains { $0.id == id } }
        guard missing.isEmpty else { throw .missing(missing) }
        let named = ids.isEmpty ? letters : letters.filter { ids.contains($0.id ?? "") }
        let masked = named.filter { CardNumberMask.containsMaskedNumber($0.payload) }
        guard ids.isEmpty || masked.isEmpty else { throw .maskedCard(masked.map { $0.id ?? "?" }) }
        let chosen = named.filter { letter in !masked.contains { $0.id == letter.id } }
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
