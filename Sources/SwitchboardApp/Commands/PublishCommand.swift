import EventBus

/// `switchboard publish TYPE JSON`: publishes one event, wrapping a bare payload in an envelope.
struct PublishCommand {
    let application: Application
    let type: String
    let json: String

    /// Publishes and returns the line to print: the event id and how many subscribers got it.
    func run() async throws(CommandFailure) -> String {
        let event: CloudEvent
        do {
            event = try CloudEvent(decoding: Array(json.utf8), channel: type)
        } catch {
            throw CommandFailure(.dataError, "cannot publish to \(type): \(error.message)")
        }
        try await application.requireBroker()
        do {
            let receivers = try await application.transport.publish(event)
            return "published \(event.type) id=\(event.id)" + (receivers.map { " to \($0) subscriber(s)" } ?? "")
        } catch {
            throw CommandFailure(error.code == .unavailable ? .unavailable : .software, error.message)
        }
    }
}
