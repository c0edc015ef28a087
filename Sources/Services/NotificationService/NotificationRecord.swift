import EventBus
import SagaEvents

/// The notification service's record of one order: the templates already sent for it, stored as the
/// field `sent`, one template name per line.
public struct NotificationRecord: Record {
    public var sent: [String]

    public init(sent: [String] = []) {
        self.sent = sent
    }

    public init(fields: RecordFields) throws(RecordError) {
        sent = fields.names("sent")
    }

    public var fields: [String: String] {
        ["sent": NamesField.text(sent)]
    }
}
