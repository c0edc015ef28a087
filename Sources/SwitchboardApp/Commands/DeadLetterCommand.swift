import EventBus
import Telemetry

/// `switchboard dlq list` and `switchboard dlq replay [ID…]`: inspects dead letters, and publishes them
/// again on their channels (through the configured transport) before removing them from the store.
struct DeadLetterCommand {
    /// The most dead letters listed or replayed at once.
    static let limit = 10_000

    let application: Application

    /// One block per dead letter: id, time, channel, service, reason, payload.
    func list() async throws(CommandFailure) -> String {
        try await application.requireBroker()
        let letters = try await stored()
        guard !letters.isEmpty else { return "no dead letters" }
        return letters.map { letter in
            let payload = String(decoding: letter.payload.prefix(500), as: UTF8.self)
            return """
                \(letter.id ?? "?")  \(RFC3339.string(from: letter.time))  \(letter.channel)  service=\(letter.service)
                  reason:  \(letter.reason)
                  payload: \(payload)\(letter.payload.count > 500 ? "…" : "")
                """
        }.joined(separator: "\n")
    }

    /// Replays the named dead letters (all when none is named); returns one line per replayed letter.
    func replay(_ ids: [String]) async throws(CommandFailure) -> String {
        try await application.requireBroker()
        let letters = try await stored()
        let chosen = ids.isEmpty ? letters : letters.filter { ids.contains($0.id ?? "") }
        let missing = ids.filter { id in !letters.contains { $0.id == id } }
        guard missing.isEmpty else {
            throw CommandFailure(.dataError, "no dead letter with id \(missing.joined(separator: ", "))")
        }
        var lines: [String] = []
        for letter in chosen {
            do {
                _ = try await application.transport.publish(raw: letter.payload, on: letter.channel)
                try await application.deadLetters.remove(ids: [letter.id ?? ""])
            } catch {
                throw CommandFailure(.unavailable, "replaying \(letter.id ?? "?") failed: \(error.message)")
            }
            lines.append("replayed \(letter.id ?? "?") on \(letter.channel)")
        }
        return lines.isEmpty ? "no dead letters to replay" : lines.joined(separator: "\n")
    }

    private func stored() async throws(CommandFailure) -> [DeadLetter] {
        do {
            return try await application.deadLetters.list(limit: Self.limit)
        } catch {
            throw CommandFailure(.unavailable, error.message)
        }
    }
}
