import EventBus
import NotificationService

/// Customers' inboxes in memory, with the semantics of `RedisCustomerInbox`: a message is added once per order
/// and template, at the head of the customer's list, which keeps the newest `keep`.
actor InMemoryCustomerInbox: CustomerInbox {
    private let keep: Int
    private var lists: [String: [String]] = [:]
    private var delivered: Set<String> = []

    init(keep: Int = 100) {
        self.keep = keep
    }

    func deliver(_ message: String, to customerID: String, order orderID: String, template: String)
        async throws(EventBusError) -> Bool
    {
        guard delivered.insert(NotificationKeys.delivered(customerID, order: orderID) + " " + template).inserted else {
            return false
        }
        lists[customerID, default: []].insert(message, at: 0)
        lists[customerID] = Array(lists[customerID]!.prefix(keep))
        return true
    }

    /// A customer's messages, newest first.
    func messages(of customerID: String) -> [String] {
        lists[customerID] ?? []
    }
}
