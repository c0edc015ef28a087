import EventBus
import EventBusInMemory
import SagaEvents
import StockService

/// The stock counters in memory, with the semantics of `RedisStockCounters`' functions, on the counters of an
/// `InMemoryTransport` (the ones its setup commits seed): each step is one atomic step of the transport, and
/// the answers are kept under `StockKeys.answer`. `calls` counts the steps asked for, `failing` makes the next
/// ones fail as an unreachable broker would.
actor InMemoryStockCounters: StockCounters {
    let transport: InMemoryTransport
    private(set) var calls: [String] = []
    /// How many of the next steps fail with `.unavailable` before any runs.
    private var failing = 0

    init(transport: InMemoryTransport) {
        self.transport = transport
    }

    func failNext(_ count: Int) {
        failing = count
    }

    func reserve(orderID: String, items: [OrderItem]) async throws(EventBusError) -> StockAnswer {
        try await step("reserve") { records, hashes in
            let key = StockKeys.answer(orderID)
            if let known = Self.answer(records[key]) { return known }
            let short = items.first { (hashes[StockKeys.item($0.sku)]?["available"] ?? 0) < $0.quantity }
            let answer = short.map { StockAnswer.rejected(sku: $0.sku) } ?? .reserved(items)
            if short == nil { Self.move(items, available: -1, reserved: 1, in: &hashes) }
            records[key] = Self.stored(answer)
            return answer
        }
    }

    func release(orderID: String) async throws(EventBusError) -> StockAnswer {
        try await settle("release", orderID: orderID, absent: .cancelled, reserved: StockAnswer.released, available: 1)
    }

    func sell(orderID: String) async throws(EventBusError) -> StockAnswer {
        try await settle("sell", orderID: orderID, absent: .unknown, reserved: StockAnswer.sold, available: 0)
    }

    /// A release or a sale: an order without an answer gets `absent` (stored unless `unknown`); a reserved one
    /// moves its units (`available` per unit back, one less `reserved`) and gets `reserved(items)`; any other
    /// answer is returned as it is.
    private func settle(
        _ name: String, orderID: String, absent: StockAnswer,
        reserved: @escaping @Sendable ([OrderItem]) -> StockAnswer, available: Int
    ) async throws(EventBusError) -> StockAnswer {
        try await step(name) { records, hashes in
            let key = StockKeys.answer(orderID)
            switch Self.answer(records[key]) {
            case nil:
                if absent != .unknown { records[key] = Self.stored(absent) }
                return absent
            case .reserved(let items):
                Self.move(items, available: available, reserved: -1, in: &hashes)
                records[key] = Self.stored(reserved(items))
                return reserved(items)
            case let known?:
                return known
            }
        }
    }

    private func step(
        _ name: String,
        _ body: @escaping @Sendable (inout [String: StoredRecord], inout [String: [String: Int]]) -> StockAnswer
    ) async throws(EventBusError) -> StockAnswer {
        calls.append(name)
        if failing > 0 {
            failing -= 1
            throw EventBusError(.unavailable, "the stock counters are unreachable (test)")
        }
        return await transport.atomically(body)
    }

    private static func answer(_ record: StoredRecord?) -> StockAnswer? {
        guard let record, let state = record.fields["state"] else { return nil }
        return try? StockAnswer(state: state, detail: record.fields["detail"] ?? "")
    }

    private static func stored(_ answer: StockAnswer) -> StoredRecord {
        StoredRecord(version: 1, fields: ["state": answer.stored.state, "detail": answer.stored.detail])
    }

    private static func move(_ items: [OrderItem], available: Int, reserved: Int, in hashes: inout [String: [String: Int]]) {
        for item in items {
            hashes[StockKeys.item(item.sku), default: [:]]["available", default: 0] += available * item.quantity
            hashes[StockKeys.item(item.sku), default: [:]]["reserved", default: 0] += reserved * item.quantity
        }
    }
}
