import RedisClient

/// The Redis Function library of the bus (`switchboard_bus`: `switchboard_commit`, `switchboard_trim`,
/// `switchboard_prune_consumers`).
///
/// Clients load it on first use; where service users may not `FUNCTION LOAD` (least-privilege ACLs), an
/// admin loads it ahead with `FUNCTION LOAD REPLACE` and this source.
public enum BusFunctionLibrary {
    /// The library, as the transports call it.
    public static var library: RedisFunctionLibrary { CommitFunction.library }
}
