import SystemReads

/// `switchboard health`: what `GET /health` says, for a terminal. Exits 0 when everything is up and 69
/// when Redis is down or a service has no live instance.
struct HealthCommand {
    let application: Application

    /// Prints the report on standard output.
    /// - Throws: `CommandFailure` (69) with one line saying what is wrong, unless all is well.
    func run() async throws(CommandFailure) {
        let reader = RedisSystemReader(client: application.makeRedisClient(logger: .disabled))
        let report = await HealthReport.make(reader: reader, required: HealthReport.requiredServices)
        Output.standard(Self.render(report))
        switch report.status {
        case .ok, .overloaded:
            return
        case .down:
            throw CommandFailure(.unavailable, "Redis at \(application.redisURL) is down"
                + (report.redis.error.map { ": \($0)" } ?? ""))
        case .degraded:
            let missing = report.services.filter { $0.value.instances.isEmpty }.keys.sorted()
            throw CommandFailure(.unavailable, "degraded: no live instance of \(missing.joined(separator: ", "))")
        }
    }

    static func render(_ report: HealthReport) -> String {
        var lines = ["status: \(report.status.rawValue)"]
        if report.redis.status == "up" {
            let latency = report.redis.latencyMilliseconds.map { String(format3: $0) } ?? "?"
            lines.append("redis:  up (\(latency) ms)")
        } else {
            lines.append("redis:  down (\(report.redis.error ?? "no answer"))")
        }
        if let sentinel = report.redis.sentinel {
            let role = sentinel.roleConfirmed ? "role confirmed" : "role NOT confirmed"
            lines.append("primary:   \(sentinel.primary ?? "unknown") (\(role))")
            lines.append("replicas:  " + (sentinel.replicas.isEmpty ? "none" : sentinel.replicas.joined(separator: ", ")))
            lines.append("sentinels: \(sentinel.sentinelsReachable.count) reachable"
                + (sentinel.sentinelsReachable.isEmpty ? "" : " (\(sentinel.sentinelsReachable.joined(separator: ", ")))")
                + sentinel.sentinelsUnreachable.map { "; unreachable \($0)" }.joined())
        }
        for name in report.services.keys.sorted() {
            let service = report.services[name]!
            let instances = service.instances.map { instance in
                let details = (instance.details ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                return "\(instance.instance) (pid \(instance.pid), since \(instance.startedAt)"
                    + details.map { ", \($0)" }.joined() + ")"
            }
            lines.append("\(name.padding(to: 13)) \(service.status)  "
                + (instances.isEmpty ? "no live instance" : instances.joined(separator: ", ")))
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    /// A number with three decimals, without Foundation's formatters.
    fileprivate init(format3 value: Double) {
        let thousandths = Int((value * 1000).rounded())
        let fraction = String(thousandths % 1000)
        self = "\(thousandths / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }
}
