import Bench
import EventBus
import Telemetry

/// `switchboard bench`: drives orders through a running system and reports throughput and latency.
///
/// Options: `--mode bus|http` (default bus), `--orders N` (default 10000), `--concurrency C` (closed loop,
/// orders in flight; default 256 on the bus, 32 connections over HTTP), `--rate R` (open loop, orders per
/// second), `--url URL` (the ingress for http mode; default http://127.0.0.1:<http port>), `--wait N`
/// (`Prefer: wait`, default 30), `--duration S` (http mode: send for S seconds only, then report the
/// recovery time).
struct BenchCommand {
    /// The option names `bench` takes.
    static let optionNames = ["--mode", "--orders", "--concurrency", "--rate", "--url", "--wait", "--duration"]

    let application: Application
    let options: [String: String]

    func run() async throws(CommandFailure) -> String {
        let mode = options["--mode"] ?? "bus"
        let orders = try number("--orders") ?? (options["--duration"] == nil ? 10_000 : Int.max)
        let rate = try number("--rate")
        let progress: @Sendable (String) -> Void = { line in Output.error("bench: \(line)") }
        let report: BenchReport
        switch mode {
        case "bus":
            try await application.requireBroker()
            let busOptions = BusLoad.Options(orders: orders, concurrency: try number("--concurrency") ?? 256, rate: rate,
                                             transport: application.settings.transport.rawValue)
            let load = BusLoad(options: busOptions, client: application.makeRedisClient(logger: .disabled),
                               completions: application.transport.watch(channels: ["order.confirmed", "order.cancelled"]))
            do {
                report = try await load.run(progress: progress)
            } catch {
                throw CommandFailure(.unavailable, error.message)
            }
        case "http":
            let url = options["--url"] ?? "http://127.0.0.1:\(application.settings.httpPort)"
            let httpOptions = HTTPLoad.Options(baseURL: url, orders: orders,
                                               concurrency: try number("--concurrency") ?? 32, rate: rate,
                                               wait: try number("--wait") ?? 30,
                                               duration: try number("--duration").map { .seconds($0) })
            report = HTTPLoad(options: httpOptions).run(progress: progress)
        default:
            throw CommandFailure(.usage, "--mode must be bus or http, not '\(mode)'")
        }
        return report.text + "\n" + report.summaryLine
    }

    private func number(_ name: String) throws(CommandFailure) -> Int? {
        guard let text = options[name] else { return nil }
        guard let value = Int(text), value > 0 else { throw CommandFailure(.usage, "\(name) must be a number > 0") }
        return value
    }
}
