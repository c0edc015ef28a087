import EventBus

/// Where a customer's messages are kept (`NotificationKeys.customer`, newest first), in the customer's own
/// partition rather than an order's: a customer's orders are in many partitions, so the notification service
/// delivers a message there in a step of its own before it commits the order's record and event.
///
/// Delivering is idempotent by order and template: asked again (a crash between the delivery and the
/// commit, a redelivered event, two instances), it adds nothing, so a customer gets each message once.
public protocol CustomerInbox: Sendable {
    /// Adds `message` at the head of the customer's messages unless the order's `template` was delivered
    /// already, and keeps the newest ones.
    /// - Returns: whether it was added now.
    /// - Throws: `EventBusError`, `.unavailable` when the inbox cannot be reached (the runner tries again),
    ///   `.rejected` when it refuses.
    func deliver(_ message: String, to customerID: String, order orderID: String, template: String)
        async throws(EventBusError) -> Bool
}
