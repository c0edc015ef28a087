#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import EventBus
import RedisClient
import Telemetry

/// Dead letters in one Redis stream (`switchboard:deadletters` by default), trimmed to about `capacity`
/// entries, so `redis-cli XRANGE switchboard:deadletters - +` shows them too.
public struct RedisDeadLetterStore: DeadLetterStore {
    /// The stream's default key.
    public static let defaultKey = "switchboard:deadletters"

    private let client: RedisClient
    private let key: String
    private let capacity: Int

    /// Creates the store.
    /// - Parameters:
    ///   - client: the Redis connection to use.
    ///   - key: the stream's key.
    ///   - capacity: about how many dead letters are kept; older ones are trimmed.
    public init(client: RedisClient, key: String = defaultKey, capacity: Int = 10_000) {
        self.client = client
        self.key = key
        self.capacity = capacity
    }

    @discardableResult
    public func add(_ letter: DeadLetter) async throws(EventBusError) -> String {
        let command = RedisCommand(
            "XADD", key, "MAXLEN", "~", capacity, "*",
            "channel", letter.channel, "service", letter.service, "reason", letter.reason,
            "time", RFC3339.string(from: letter.time), "payload", letter.payload
        ).routed(by: key)
        let reply: RedisReply
        do {
            reply = try await client.send(command)
        } catch {
            throw EventBusError(error)
        }
        guard let id = reply.string else { throw EventBusError(.rejected, "XADD \(key) answered \(reply), not an id") }
        return id
    }

    public func list(limit: Int) async throws(EventBusError) -> [DeadLetter] {
        do {
            let command = RedisCommand("XRANGE", key, "-", "+", "COUNT", max(limit, 1)).routed(by: key)
            let reply = try await client.send(command)
            return RedisStreamEntry.entries(in: reply).map(Self.letter(from:))
        } catch {
            throw EventBusError(error)
        }
    }

    @discardableResult
    public func remove(ids: [String]) async throws(EventBusError) -> Int {
        guard !ids.isEmpty else { return 0 }
        do {
            return try await client.send(RedisCommand("XDEL", [key] + ids).routed(by: key)).int ?? 0
        } catch {
            throw EventBusError(error)
        }
    }

    /// Reads one `XRANGE` entry as a dead letter.
    private static func letter(from entry: RedisStreamEntry) -> DeadLetter {
        let (id, fields) = (entry.id, entry.fields)
        func text(_ name: String) -> String { fields[name].map { String(decoding: $0, as: UTF8.self) } ?? "" }
        return DeadLetter(
            id: id, channel: text("channel"), service: text("service"), reason: text("reason"),
            payload: fields["payload"] ?? [], time: RFC3339.date(from: text("time")) ?? .distantPast
        )
    }
}
