import RedisClient

extension RedisSubscriber.Event {
    /// A message whose payload is `text` in UTF-8.
    static func text(_ channel: String, _ text: String, pattern: String? = nil) -> Self {
        .message(RedisPubSubMessage(channel: channel, pattern: pattern, payload: Array(text.utf8)))
    }
}
