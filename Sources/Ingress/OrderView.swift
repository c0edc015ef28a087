import EventBus
import JSONBytes
import OrderService
import SagaEvents

/// An order as `GET /orders/{id}` shows it: every field of the contract present, `null` when unknown,
/// members in sorted order, written straight to JSON bytes (it is the answer of every `Prefer: wait`).
struct OrderView: JSONWritable {
    let record: OrderRecord
    let history: [OrderHistory.Entry]

    /// The view of an order's record and its trace log (`OrderHistory`).
    init(record: OrderRecord, trace: [CloudEvent]) {
        self.record = record
        self.history = OrderHistory.entries(from: trace)
    }

    func write(json writer: inout JSONWriter) {
        writer.beginObject()
        writer.member("amount", record.amount)
        writer.member("currency", record.currency)
        writer.member("customerId", record.customerId)
        writer.key("history")
        writer.beginArray()
        for entry in history {
            writer.beginObject()
            writer.member("id", entry.id)
            writer.member("source", entry.source)
            writer.member("time", entry.time)
            writer.member("type", entry.type)
            writer.endObject()
        }
        writer.endArray()
        writer.member("items", record.items)
        writer.member("orderId", record.orderId)
        writer.member("paymentId", record.paymentId)
        writer.member("reason", record.reason)
        writer.member("status", record.status.rawValue)
        writer.endObject()
    }
}
