import EventBus

/// The Lua that emits an event and logs it to its chain's trace log: written once, and put at the head of
/// both libraries that emit, the bus's (`switchboard_commit`) and the ingress's (`switchboard_accept`), so a
/// commit and an accept emit, count receivers and trace alike on every transport.
///
/// `mode` is how the event is sent (`Mode`): `publish` (`PUBLISH` on one server), `spublish` (sharded
/// `SPUBLISH` on a Redis Cluster, the channel in the caller's slot: see `ChannelLayout`), `streams` (`XADD`).
/// It defines four local functions; a trace log is trimmed to about `TraceLog.capacity` entries, a number
/// written into the Lua (a change of it is a new version of the libraries, `RedisFunctionLibrary`) rather than
/// passed with every call:
/// - `start(log, event, retention)`: appends to a trace log, creating it if need be, and sets it to expire
///   `retention` seconds from now (two commands);
/// - `trace(log, event, retention)`: appends to a trace log that exists (`XADD … NOMKSTREAM`,
///   one command, its expiry kept), or else `start`s it: a log gets its expiry from the step that creates
///   it, so it expires `retention` seconds after its first entry, and no append pays an `EXPIRE`;
/// - `receivers(mode, destination)`: how many would receive an event emitted now: the channel's
///   subscribers (`PUBSUB NUMSUB` / `SHARDNUMSUB`; pattern subscribers, i.e. `tail`, do not count), or the
///   stream's consumer groups;
/// - `emit(mode, destination, log, event, retention, first)`: emits and `trace`s, or `start`s the
///   log when `first` (the event begins its chain: the ingress's accept); returns how many subscribers
///   received it (pub/sub) or `nil` (streams).
public enum EmitRoutine {
    /// How an event is sent: the `mode` argument of the functions.
    public enum Mode: String, Sendable {
        /// `PUBLISH` on the type's channel (one server).
        case publish
        /// `SPUBLISH` on the partition's channel (a Redis Cluster).
        case spublish
        /// `XADD` to the stream.
        case streams

        /// Pub/sub in `layout`: `spublish` when partitioned, `publish` otherwise.
        public init(pubSubIn layout: ChannelLayout) {
            self = layout == .partitioned ? .spublish : .publish
        }

        /// The mode as the function's argument.
        var argument: [UInt8] {
            switch self {
            case .publish: Self.words[0]
            case .spublish: Self.words[1]
            case .streams: Self.words[2]
            }
        }

        /// The arguments as bytes made once rather than once per call.
        private static let words = [publish, spublish, streams].map { Array($0.rawValue.utf8) }
    }

    /// The Lua, at the head of a library's code (`RedisFunctionLibrary(name:code:)`).
    public static let luaSource = #"""

        local traceCapacity = '\#(TraceLog.capacity)'

        local function start(log, event, retention)
            redis.call('XADD', log, 'MAXLEN', '~', traceCapacity, '*', 'event', event)
            redis.call('EXPIRE', log, retention)
        end

        local function trace(log, event, retention)
            if not redis.call('XADD', log, 'NOMKSTREAM', 'MAXLEN', '~', traceCapacity, '*', 'event', event) then
                start(log, event, retention)
            end
        end

        local function receivers(mode, destination)
            if mode == 'publish' then return redis.call('PUBSUB', 'NUMSUB', destination)[2] end
            if mode == 'spublish' then return redis.call('PUBSUB', 'SHARDNUMSUB', destination)[2] end
            local ok, groups = pcall(redis.call, 'XINFO', 'GROUPS', destination)
            if ok then return #groups end
            return 0
        end

        local function emit(mode, destination, log, event, retention, first)
            local received = nil
            if mode == 'publish' then
                received = redis.call('PUBLISH', destination, event)
            elseif mode == 'spublish' then
                received = redis.call('SPUBLISH', destination, event)
            else
                redis.call('XADD', destination, '*', 'event', event)
            end
            if first then start(log, event, retention) else trace(log, event, retention) end
            return received
        end

        """#
}
