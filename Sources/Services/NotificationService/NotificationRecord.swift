import SagaEvents

/// The notification service's record of one order: the templates already sent for it.
public struct NotificationRecord: Record {
    public var sent: [String]

    public init(sent: [String] = []) {
        self.sent = sent
    }
}
