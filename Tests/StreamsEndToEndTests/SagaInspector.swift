import Foundation
import OrderService
import StockService
import TestSupport

/// Reads what the saga left in Redis, with the real `redis-cli`: order records, stock, stream entries,
/// consumer groups and dead letters.
struct SagaInspector: Sendable {
    /// Every event type of the saga; each is a stream on the streams transport.
    static let streams = [
        "order.created", "stock.reserved", "stock.rejected", "payment.completed", "payment.failed",
        "order.confirmed", "order.cancelled", "stock.released", "notification.sent",
    ]
    /// The dead-letter stream.
    static let deadLetterStream = "switchboard:deadletters"

    let redis: RedisServer

    /// The status of each order whose record exists (the `status` field of `order:<id>`), by order id.
    func statuses(of ids: [String]) async throws -> [String: String] {
        let values = try await redis.field("status", ofEach: ids.map { OrderKeys.order($0) })
        var statuses: [String: String] = [:]
        for (id, value) in zip(ids, values) where !value.isEmpty {
            statuses[id] = value
        }
        return statuses
    }

    /// The amount of each confirmed order among `ids` (the `amount` field of `order:<id>`), by order id.
    func confirmedAmounts(of ids: [String]) async throws -> [String: Int] {
        let statuses = try await statuses(of: ids)
        let confirmed = ids.filter { statuses[$0] == "confirmed" }
        let amounts = try await redis.field("amount", ofEach: confirmed.map { OrderKeys.order($0) })
        return Dictionary(uniqueKeysWithValues: zip(confirmed, amounts.map { Int($0) ?? -1 }))
    }

    /// The money invariant at the provider for `orders` (every order sent to the server): see
    /// `ProviderLedger.violations`.
    func moneyViolations(of orders: [String]) async throws -> [String] {
        let confirmed = try await confirmedAmounts(of: orders)
        let ledger = try await ProviderLedger.read(from: redis)
        return ledger.violations(confirmed: confirmed, cancelled: orders.filter { confirmed[$0] == nil })
    }

    /// A SKU's `available` and `reserved` units (`-1` when missing).
    func stock(_ sku: String) async throws -> Stock {
        let fields = try await redis.cli("HMGET", StockKeys.item(sku), "available", "reserved")
            .split(separator: "\n", omittingEmptySubsequences: false)
        return Stock(available: Int(fields.first ?? "") ?? -1, reserved: Int(fields.last ?? "") ?? -1)
    }

    /// Units of a SKU.
    struct Stock: Equatable, CustomStringConvertible {
        var available: Int
        var reserved: Int

        var description: String { "available \(available), reserved \(reserved)" }
    }

    /// The number of entries in a stream.
    func length(of stream: String) async throws -> Int {
        Int(try await redis.cli("XLEN", stream)) ?? -1
    }

    /// The order id in the data of each entry of `stream`, in stream order (bare payloads or CloudEvents).
    func orderIDs(in stream: String) async throws -> [String] {
        let lines = try await redis.cli("XRANGE", stream, "-", "+").split(separator: "\n").map(String.init)
        return lines.indices.filter { $0 > 0 && lines[$0 - 1] == "event" }.compactMap { index in
            guard let event = try? JSONSerialization.jsonObject(with: Data(lines[index].utf8)) as? [String: Any]
            else { return nil }
            let data = event["specversion"] == nil ? event : event["data"] as? [String: Any]
            return data?["orderId"] as? String
        }
    }

    /// How many entries of `stream` name each order.
    func countsByOrder(in stream: String) async throws -> [String: Int] {
        try await orderIDs(in: stream).reduce(into: [:]) { counts, id in counts[id, default: 0] += 1 }
    }

    /// The consumers of a group (`XINFO CONSUMERS`): `name`, `pending`, `idle` each.
    func consumers(of stream: String, group: String) async throws -> [[String: String]] {
        records(try await redis.cli("XINFO", "CONSUMERS", stream, group), firstField: "name")
    }

    /// The entries of a stream pending in a group, optionally only those of one consumer.
    func pending(in stream: String, group: String, consumer: String? = nil) async throws -> Int {
        guard let consumer else {
            return Int(try await redis.cli("XPENDING", stream, group).split(separator: "\n").first ?? "") ?? -1
        }
        let entry = try await consumers(of: stream, group: group).first { $0["name"] == consumer }
        return entry.flatMap { Int($0["pending"] ?? "") } ?? 0
    }

    /// Entries pending in every group of every saga stream, as `stream/group` → count (only non-zero ones).
    func allPending() async throws -> [String: Int] {
        var pending: [String: Int] = [:]
        for stream in Self.streams {
            for group in records(try await redis.cli("XINFO", "GROUPS", stream), firstField: "name") {
                if let count = Int(group["pending"] ?? ""), count > 0 { pending["\(stream)/\(group["name"]!)"] = count }
            }
        }
        return pending
    }

    /// The dead letters (`XRANGE switchboard:deadletters - +`): `id`, `channel`, `service`, `reason`, `payload`.
    func deadLetters() async throws -> [[String: String]] {
        let lines = try await redis.cli("XRANGE", Self.deadLetterStream, "-", "+")
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var letters: [[String: String]] = []
        var index = 0
        while index < lines.count {
            guard lines[index].range(of: #"^\d+-\d+$"#, options: .regularExpression) != nil else {
                index += 1
                continue
            }
            var letter = ["id": lines[index]]
            index += 1
            while index + 1 < lines.count, lines[index].range(of: #"^\d+-\d+$"#, options: .regularExpression) == nil {
                letter[lines[index]] = lines[index + 1]
                index += 2
            }
            letters.append(letter)
        }
        return letters
    }

    /// Reads `redis-cli`'s flat output of an array of maps (`name`, `x`, `pending`, `1`, `name`, `y`, …);
    /// an error reply (no such key) reads as no records.
    private func records(_ output: String, firstField: String) -> [[String: String]] {
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var records: [[String: String]] = []
        var index = 0
        while index + 1 < lines.count {
            if lines[index] == firstField { records.append([:]) }
            if !records.isEmpty { records[records.count - 1][lines[index]] = lines[index + 1] }
            index += 2
        }
        return records
    }
}
