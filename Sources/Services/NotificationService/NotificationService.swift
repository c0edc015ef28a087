import EventBus
import SagaEvents
import Telemetry

/// The notification service on the bus: tells the customer of a confirmed or cancelled order, once.
///
/// Each message is delivered to two sinks: a structured log line, and the customer's Redis list
/// (`NotificationKeys.customer`, newest first, the last `keep` kept), which a person can read with
/// `redis-cli LRANGE notification:customer:<id> 0 -1`. Then `notification.sent` is emitted.
public struct NotificationService: EventService {
    public let name = "notification"
    /// The event types it handles, without an instance: the ACLs (`AccessPolicy`) and tests read them.
    public static let subscriptions = [EventTypes.orderConfirmed, EventTypes.orderCancelled]
    public var subscriptions: [String] { Self.subscriptions }
    private let channel: NotificationChannel
    private let keep: Int

    /// Creates the service.
    /// - Parameters:
    ///   - channel: how customers are reached.
    ///   - keep: how many messages each customer's list keeps.
    public init(channel: NotificationChannel = .email, keep: Int = 100) {
        self.channel = channel
        self.keep = keep
    }

    public func recordKey(for event: CloudEvent) throws(CloudEventError) -> String {
        NotificationKeys.order(try event.orderID())
    }

    public func decide(_ event: CloudEvent, record: StoredRecord?) async throws -> Commit? {
        let current = try NotificationRecord(stored: record) ?? NotificationRecord()
        let template: NotificationTemplate
        var values: [String: String]
        switch event.type {
        case EventTypes.orderConfirmed:
            let confirmed = try event.payload(OrderConfirmed.self)
            template = .orderConfirmed
            values = ["orderId": confirmed.orderId, "customerId": confirmed.customerId,
                      "amount": NotificationTemplate.money(confirmed.amount, confirmed.currency)]
        case EventTypes.orderCancelled:
            let cancelled = try event.payload(OrderCancelled.self)
            template = .orderCancelled
            values = ["orderId": cancelled.orderId, "customerId": cancelled.customerId,
                      "reason": NotificationTemplate.reason(cancelled.reason)]
        default:
            return nil
        }
        guard !current.sent.contains(template.name), let customerID = values["customerId"],
              let orderID = values["orderId"]
        else { return nil }
        let sent = NotificationSent(customerId: customerID, orderId: orderID, channel: channel,
                                    template: template.name, message: template.render(values))
        let emitted = event.caused(type: EventTypes.notificationSent, source: source, payload: sent)
        let entry = String(decoding: emitted.encoded(), as: UTF8.self)
        return Commit(key: try recordKey(for: event), expected: record, outcome: Commit.Outcome(
            record: NotificationRecord(sent: current.sent + [template.name]).fields,
            changes: [.prepend(key: NotificationKeys.customer(customerID), value: entry, keep: keep)],
            events: [emitted],
            // Notifications follow an order's final event: the record only remembers what was sent.
            final: true
        ))
    }

    /// Logs each delivered message: the structured-log sink.
    public func applied(_ outcome: Commit.Outcome, for event: CloudEvent, logger: Logger) {
        for emitted in outcome.events {
            guard let sent = try? emitted.decodeData(as: NotificationSent.self) else { continue }
            logger.info("notification sent", metadata: [
                "customer.id": sent.customerId, "order.id": sent.orderId, "channel": sent.channel.rawValue,
                "template": sent.template, "message": sent.message,
            ])
        }
    }
}
