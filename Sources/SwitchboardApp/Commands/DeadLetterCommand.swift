import EventBus
import Telemetry

/// `switchboard dlq list` and `switchboard dlq replay [ID…]`: inspects dead letters, and publishes them
/// again on their channels (through the configured transport) before removing them from the store
/// (`DeadLetterReplay`, which the ingress's replay route uses too).
struct DeadLetterCommand {
    let application: Application

    private var deadLetters: DeadLetterReplay {
        DeadLetterReplay(store: application.deadLetters, transport: application.transport)
    }

    /// One block per dead letter: id, time, channel, service, reason, payload.
    func list() async throws(CommandFailure) -> String {
        try await application.requireBroker()
        let letters: [DeadLetter]
        do {
            letters = try await deadLetters.list()
        } catch {
            throw Self.failure(error)
        }
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
        let replayed: [DeadLetter]
        do {
            replayed = try await deadLetters.replay(ids)
        } catch {
            throw Self.failure(error)
        }
        let lines = replayed.map { "replayed \($0.id ?? "?") on \($0.channel)" }
        return lines.isEmpty ? "no dead letters to replay" : lines.joined(separator: "\n")
    }

    private static func failure(_ error: DeadLetterReplay.Failure) -> CommandFailure {
        switch error {
        case .missing, .maskedCard: CommandFailure(.dataError, error.message)
        case .unavailable: CommandFailure(.unavailable, error.message)
        }
    }
}
