import EventBus

extension ServiceRunner.Disposition {
    /// The reason a message was dead-lettered with; `nil` when it ended otherwise. Tests write
    /// `try #require(disposition.deadLetterReason, "…")`.
    public var deadLetterReason: String? {
        guard case .deadLettered(let reason) = self else { return nil }
        return reason
    }
}
