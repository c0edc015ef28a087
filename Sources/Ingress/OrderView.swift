import OrderService
import SagaEvents

/// An order as `GET /orders/{id}` shows it: every field of the contract present, `null` when unknown.
struct OrderView: Encodable {
    let record: OrderRecord
    let history: [OrderHistory.Entry]

    private enum CodingKeys: String, CodingKey {
        case orderId, customerId, status, reason, items, amount, currency, paymentId, history
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(record.orderId, forKey: .orderId)
        try container.encode(record.customerId, forKey: .customerId)
        try container.encode(record.status, forKey: .status)
        try container.encode(record.reason, forKey: .reason)
        try container.encode(record.items, forKey: .items)
        try container.encode(record.amount, forKey: .amount)
        try container.encode(record.currency, forKey: .currency)
        try container.encode(record.paymentId, forKey: .paymentId)
        try container.encode(history, forKey: .history)
    }
}
