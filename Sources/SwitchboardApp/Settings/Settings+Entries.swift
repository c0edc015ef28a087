extension Settings {
    /// Every setting as `switchboard config` prints it: its key in the settings file and its value, with the
    /// Redis password masked and, for each Redis user, only where its password is read from.
    public var entries: [(key: String, value: String)] {
        let users = redisUsers.sorted { $0.key < $1.key }.map { ("redis.users.\($0.key)", $0.value.description) }
        return [
            ("redis.url", Self.masked(redisURL)),
        ] + users + [
            ("redis.connectTimeoutMilliseconds", "\(connectTimeoutMilliseconds)"),
            ("redis.commandTimeoutMilliseconds", "\(commandTimeoutMilliseconds)"),
            ("redis.sentinelPassword", redisSentinelPassword.isEmpty ? "(none)" : "****"),
            ("transport", transport.rawValue),
            ("http.port", "\(httpPort)"),
            ("http.durableAcceptMilliseconds", "\(durableAcceptMilliseconds)"),
            ("http.connectionLimit", "\(httpConnectionLimit)"),
            ("http.idleTimeoutSeconds", "\(httpIdleTimeoutSeconds)"),
            ("http.maximumBodyBytes", "\(httpMaximumBodyBytes)"),
            ("http.maximumPendingOrders", "\(httpMaximumPendingOrders)"),
            ("http.maximumEventStreams", "\(httpMaximumEventStreams)"),
            ("http.maximumBacklog", "\(httpMaximumBacklog)"),
            ("pubsub.maximumBufferedMessages", "\(pubsubMaximumBufferedMessages)"),
            ("log.level", logLevel.description),
            ("log.format", logFormat.rawValue),
            ("catalog", catalogPath ?? "(built in: the products of Config/catalog.json)"),
            ("payment.latencyMilliseconds", "\(paymentLatencyMilliseconds)"),
            ("payment.failureRate", "\(paymentFailureRate)"),
            ("payment.timeoutMilliseconds", "\(paymentTimeoutMilliseconds)"),
            ("payment.retries", "\(paymentRetries)"),
            ("payment.breaker.failureThreshold", "\(breakerFailureThreshold)"),
            ("payment.breaker.coolDownMilliseconds", "\(breakerCoolDownMilliseconds)"),
            ("streams.batchSize", "\(streamsBatchSize)"),
            ("streams.claimIdleMilliseconds", "\(streamsClaimIdleMilliseconds)"),
            ("streams.maximumDeliveries", "\(streamsMaximumDeliveries)"),
            ("streams.maximumLength", "\(streamsMaximumLength)"),
            ("streams.consumerIdleLimitSeconds", "\(streamsConsumerIdleLimitSeconds)"),
            ("streams.partitionPollMilliseconds", "\(streamsPartitionPollMilliseconds)"),
            ("deadLetters.capacity", "\(deadLetterCapacity)"),
            ("retention.finalRecordDays", "\(finalRecordRetentionDays)"),
            ("shutdownGraceSeconds", "\(shutdownGraceSeconds)"),
            ("instance", instance ?? "(host-pid of each process)"),
        ] + testOverrides
    }

    /// The settings for tests and soak runs, listed only when set.
    private var testOverrides: [(key: String, value: String)] {
        [
            finalRecordRetentionSeconds.map { ("retention.finalRecordSeconds", "\($0)") },
            traceRetentionSeconds.map { ("retention.traceSeconds", "\($0)") },
        ].compactMap { $0 }
    }

    /// A Redis URL with its password replaced by `****`: `redis://user:****@host:6379`.
    static func masked(_ url: String) -> String {
        guard let scheme = ["redis://", "redis+sentinel://"].first(where: url.hasPrefix), let at = url.lastIndex(of: "@") else { return url }
        let credentials = url[url.index(url.startIndex, offsetBy: scheme.count)..<at]
        let user = credentials.firstIndex(of: ":").map { credentials[..<$0] + ":" } ?? ""
        return scheme + user + "****" + url[at...]
    }
}
