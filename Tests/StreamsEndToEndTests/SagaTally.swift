/// What became of a batch of orders, counted from Redis once they were given time to finish.
struct SagaTally: CustomStringConvertible {
    /// Orders sent.
    var sent: Int
    /// Orders confirmed or cancelled.
    var final: Int
    /// Orders confirmed.
    var confirmed: Int
    /// Orders whose final status differs from the one their card calls for.
    var wrongOutcome: [String]
    /// Orders never final (no record, or still pending or reserved).
    var lost: [String]
    /// Orders with more than one `payment.completed` or `payment.failed` entry.
    var duplicated: [String]
    /// Confirmed orders without exactly one `payment.completed` entry, or cancelled ones with any.
    var chargeMismatches: [String]
    /// BOOK-1 units of the confirmed orders.
    var confirmedUnits: Int

    var description: String {
        "sent \(sent), final \(final) (confirmed \(confirmed), cancelled \(final - confirmed)), lost \(lost.count), "
            + "duplicated \(duplicated.count), wrong outcome \(wrongOutcome.count), "
            + "charge mismatches \(chargeMismatches.count)"
    }

    /// Counts the outcome of `orders` from the order records and the payment streams.
    static func count(_ orders: [TestOrder], in inspector: SagaInspector) async throws -> SagaTally {
        let statuses = try await inspector.statuses(of: orders.map(\.id))
        let completed = try await inspector.countsByOrder(in: "payment.completed")
        let failed = try await inspector.countsByOrder(in: "payment.failed")
        let final = orders.filter { ["confirmed", "cancelled"].contains(statuses[$0.id]) }
        let confirmed = orders.filter { statuses[$0.id] == "confirmed" }
        let finalIDs = Set(final.map(\.id))
        return SagaTally(
            sent: orders.count, final: final.count, confirmed: confirmed.count,
            wrongOutcome: final.filter { statuses[$0.id] != $0.expectedStatus }.map(\.id),
            lost: orders.filter { !finalIDs.contains($0.id) }.map { "\($0.id) (\(statuses[$0.id] ?? "no record"))" },
            duplicated: orders.filter { completed[$0.id, default: 0] > 1 || failed[$0.id, default: 0] > 1 }.map(\.id),
            chargeMismatches: final.filter { order in
                statuses[order.id] == "confirmed" ? completed[order.id] != 1 : completed[order.id] != nil
            }.map(\.id),
            confirmedUnits: confirmed.filter { $0.sku == "BOOK-1" }.reduce(0) { $0 + $1.quantity }
        )
    }
}
