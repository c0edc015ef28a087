import RedisClient
import Resilience

/// Reads on a Redis Cluster, where a command's streams must share a slot: one non-blocking read per
/// partition (whose streams share the partition's slot), all sent as one pipeline, which the client splits
/// per node, so a round costs one round trip per node however many partitions there are.
///
/// A blocking read would cover one partition only, so nothing blocks: after a round that found nothing the
/// reader waits, 2 ms at first and doubling up to `partitionPollInterval`, and goes on at once after a round
/// that found entries.
struct PartitionRounds: Sendable {
    private var idle: Backoff
    private let pollInterval: Duration

    init(pollInterval: Duration) {
        self.pollInterval = pollInterval
        idle = Backoff(initial: .milliseconds(2), maximum: pollInterval)
    }

    /// Sends `commands` as one pipeline and returns their replies; the first error reply is thrown (the
    /// client has already followed redirections and retried `TRYAGAIN`).
    func round(_ commands: [RedisCommand], on client: RedisClient) async throws(RedisError) -> [RedisReply] {
        let replies = try await client.pipeline(commands)
        for (command, reply) in zip(commands, replies) {
            if case .error(let message) = reply {
                throw RedisError(reply: message, "Redis answered \(command.name) with an error: \(message)")
            }
        }
        return replies
    }

    /// How long to wait before the next round: not at all after one that `found` entries, else the next
    /// idle step.
    mutating func pause(afterFinding found: Bool) -> Duration? {
        guard !found else {
            idle.reset()
            return nil
        }
        return min(idle.next(), pollInterval)
    }
}
