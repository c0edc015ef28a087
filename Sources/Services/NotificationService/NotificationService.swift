import EventBus
import SagaEvents
import Telemetry

/// The notification service on the bus: tells the customer of a confirmed or cancelled order, once.
///
/// Each message is delivered to two sinks: a structured log line, and the customer's inbox
/// (`CustomerInbox`: a Redis list `NotificationKeys.customer`, newest first, in the customer's partition),
/// which a person can read with `redis-cli LRANGE 'notification:customer:{p12}:<id>' 0 -1`. Then
/// `notification.sent` is emitted.
///
/// The inbox is shared by the customer's orders, which are in other partitions, so a message is delivered
/// in two steps that each touch one slot (Redis Cluster): the delivery to the inbox, idempotent by order and
/// template, run by the runner as a `FollowUp` step; then the commit of the order's record (the templates
/// sent) and event, with the acknowledgement, in the order's partition. A crash between the two redelivers
/// the event, whose delivery adds nothing the second time.
public struct NotificationService: EventService {
    public let name = "notification"
    /// The event types it handles, without an instance: the ACLs (`AccessPolicy`) and tests read them.
    public static let subscriptions = [EventTypes.orderConfirmed, EventTypes.orderCancelled]
    public var subscriptions: [String] { Self.subscriptions }
    private let channel: NotificationChannel
    private let inbox: any CustomerInbox

    /// Creates the service.
    /// - Parameters:
    ///   - channel: how customers are reached.
    ///   - inbox: where customers' messages are kept.
    public init(channel: NotificationChannel = .email, inbox: any CustomerInbox) {
        self.channel = channel
        self.inbox = inbox
    }

    public func recordKey(for event: CloudEvent) throws(CloudEventError) -> String {
        NotificationKeys.order(try event.orderID())
    }

    /// Nothing is committed without a delivery first: a message to send is a step (`followUp`).
    public func decide(_ event: CloudEvent, record: VersionedRecord<NotificationRecord>?) async throws -> Commit? {
        nil
    }

    /// The delivery of the message `event` asks for, unless the confirmed `record` says it was sent, and the
    /// commit of the record and `notification.sent`.
    public func followUp(
        after record: VersionedRecord<NotificationRecord>?, for event: CloudEvent
    ) throws -> FollowUp? {
        let current = record?.value ?? NotificationRecord()
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
        let commit = Commit(key: try recordKey(for: event), expected: record?.stored, outcome: Commit.Outcome(
            record: NotificationRecord(sent: current.sent + [template.name]).fields,
            events: [emitted],
            // Notifications follow an order's final event: the record only remembers what was sent.
            final: true
        ))
        let inbox = inbox
        return FollowUp(name: "deliver", kind: .step) { () async throws(EventBusError) in
            _ = try await inbox.deliver(entry, to: customerID, order: orderID, template: template.name)
            return commit
        }
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
