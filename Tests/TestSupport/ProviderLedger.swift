/// The simulated card provider's ledger as a test reads it from Redis (`provider:{provider}:charges`, one entry per
/// charge the provider made, `provider:{provider}:refunds`, one per charge refunded; see `RedisChargeLedger`): the
/// oracle of the money invariant.
public struct ProviderLedger: Sendable {
    /// One charge the provider made.
    public struct Charge: Sendable, Equatable {
        /// The idempotency key, the order id.
        public var key: String
        public var paymentID: String
        public var amount: Int
    }

    /// The stream of every charge made (`RedisChargeLedger.chargesKey`).
    public static let chargesKey = "provider:{provider}:charges"
    /// The stream of every charge refunded (`RedisChargeLedger.refundsKey`).
    public static let refundsKey = "provider:{provider}:refunds"

    /// Every charge, oldest first.
    public let charges: [Charge]
    /// Every refund, oldest first.
    public let refunds: [Charge]

    /// Reads the ledger of `redis`.
    public static func read(from redis: RedisServer) async throws -> ProviderLedger {
        ProviderLedger(charges: try await entries(of: chargesKey, in: redis),
                       refunds: try await entries(of: refundsKey, in: redis))
    }

    private static func entries(of stream: String, in redis: RedisServer) async throws -> [Charge] {
        let lines = try await redis.cli("XRANGE", stream, "-", "+")
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var charges: [Charge] = []
        var fields: [String: String] = [:]
        func flush() {
            if let key = fields["key"], let id = fields["paymentId"],
               let amount = fields["amount"].flatMap({ Int($0) }) {
                charges.append(Charge(key: key, paymentID: id, amount: amount))
            }
            fields = [:]
        }
        var index = 0
        while index < lines.count {
            if lines[index].range(of: #"^\d+-\d+$"#, options: .regularExpression) != nil {
                flush()
                index += 1
            } else if index + 1 < lines.count {
                fields[lines[index]] = lines[index + 1]
                index += 2
            } else {
                index += 1
            }
        }
        flush()
        return charges
    }

    /// How the ledger breaks the money invariant for these orders: every confirmed order (id → amount
    /// confirmed) has exactly one charge, of its amount, not refunded; every cancelled one none, or one
    /// refunded; and the sum charged less the sum refunded equals the sum of the confirmed amounts.
    /// `confirmed` and `cancelled` must name every order sent to the server, since every charge in the
    /// ledger counts. Empty when it holds.
    public func violations(confirmed: [String: Int], cancelled: [String]) -> [String] {
        var byKey: [String: [Charge]] = [:]
        for charge in charges { byKey[charge.key, default: []].append(charge) }
        var refundedByKey: [String: [Charge]] = [:]
        for refund in refunds { refundedByKey[refund.key, default: []].append(refund) }
        var problems: [String] = []
        for (id, amount) in confirmed.sorted(by: { $0.key < $1.key }) {
            let made = byKey[id] ?? []
            if made.map(\.amount) != [amount] || refundedByKey[id] != nil {
                problems.append("confirmed \(id) (\(amount)) has charges \(made.map(\.amount)), "
                    + "refunds \((refundedByKey[id] ?? []).map(\.amount))")
            }
        }
        for id in cancelled.sorted() {
            let made = (byKey[id] ?? []).map(\.paymentID)
            let refunded = (refundedByKey[id] ?? []).map(\.paymentID)
            if made.count > 1 || made != refunded {
                problems.append("cancelled \(id) has charges \(made), refunds \(refunded)")
            }
        }
        let charged = charges.reduce(0) { $0 + $1.amount } - refunds.reduce(0) { $0 + $1.amount }
        let owed = confirmed.values.reduce(0, +)
        if charged != owed { problems.append("charged \(charged) in all (less refunds), confirmed \(owed)") }
        return problems
    }
}
