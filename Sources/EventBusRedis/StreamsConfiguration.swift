/// How the Redis Streams transport reads, redelivers and trims.
public struct StreamsConfiguration: Sendable, Equatable {
    /// Entries fetched per `XREADGROUP`.
    public var batchSize: Int
    /// How long one `XREADGROUP` blocks waiting for entries.
    public var block: Duration
    /// On a Redis Cluster, where a blocking read covers one partition only, the longest wait between two
    /// rounds of reads that found nothing: each round is one non-blocking read per partition, pipelined per
    /// node; the wait starts at 2 ms and doubles while rounds stay empty, so it is both the added latency of
    /// an event that arrives after a quiet spell and what bounds the reads an idle consumer makes.
    public var partitionPollInterval: Duration
    /// How long an entry may stay pending with a consumer before another instance claims it
    /// (`XAUTOCLAIM`); longer than any handler takes.
    public var claimIdle: Duration
    /// How many deliveries an entry gets before it is dead-lettered and acknowledged.
    public var maximumDeliveries: Int
    /// About how many entries a stream keeps; entries still pending or undelivered are never trimmed.
    public var maximumLength: Int
    /// How often streams are trimmed.
    public var trimInterval: Duration
    /// Streams trimmed besides those consumed, e.g. every event type (some have no consumer).
    public var trimmedStreams: [String]
    /// How long a consumer of a group may stay idle, with nothing pending, before it is removed from the
    /// group (at each trim): an instance that stopped for good; much longer than `claimIdle`.
    public var consumerIdleLimit: Duration

    /// Creates a configuration.
    public init(
        batchSize: Int = 100, block: Duration = .seconds(1), claimIdle: Duration = .seconds(30),
        maximumDeliveries: Int = 5, maximumLength: Int = 100_000, trimInterval: Duration = .seconds(5),
        trimmedStreams: [String] = [], consumerIdleLimit: Duration = .seconds(3600),
        partitionPollInterval: Duration = .milliseconds(100)
    ) {
        self.partitionPollInterval = partitionPollInterval
        self.trimmedStreams = trimmedStreams
        self.consumerIdleLimit = consumerIdleLimit
        self.batchSize = batchSize
        self.block = block
        self.claimIdle = claimIdle
        self.maximumDeliveries = maximumDeliveries
        self.maximumLength = maximumLength
        self.trimInterval = trimInterval
    }
}
