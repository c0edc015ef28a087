/// What the user asked `switchboard` to do.
public enum Command: Sendable, Equatable {
    /// `switchboard run [SERVICE…]`: run services in this process (all when none is named).
    case run(services: [String])
    /// `switchboard publish TYPE JSON`: publish one event.
    case publish(type: String, json: String)
    /// `switchboard tail [PATTERN]`: print events live.
    case tail(pattern: String)
    /// `switchboard trace ORDER_ID`: the timeline of one order's chain.
    case trace(orderID: String)
    /// `switchboard dlq list`: the dead letters.
    case deadLetterList
    /// `switchboard dlq replay [ID…]`: publish dead letters again (all when none is named).
    case deadLetterReplay(ids: [String])
    /// `switchboard bench [OPTIONS]`: load the running system and report.
    case bench(options: [String: String])
    /// `switchboard health`: live instances and Redis's state.
    case health
    /// `switchboard config`: the effective settings and where each came from.
    case config
    /// `switchboard acl`: the Redis ACL rules of the configured users.
    case acl
    /// `switchboard acl load`: load the Redis function libraries as the admin user.
    case aclLoad
    /// `switchboard version`, `--version`: the version and the commit it was built from.
    case version
    /// `switchboard help`, `--help`.
    case help
}
