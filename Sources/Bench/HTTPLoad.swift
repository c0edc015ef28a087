import CCurl
import Foundation
import Synchronization

/// Drives orders through the HTTP ingress: `POST /orders` with `Prefer: wait`, on keep-alive
/// connections (one libcurl handle per worker thread), so each latency is POST → final state.
public struct HTTPLoad: Sendable {
    /// How to load the system.
    public struct Options: Sendable {
        /// The ingress, e.g. `http://127.0.0.1:8080`.
        public var baseURL: String
        /// How many orders to send.
        public var orders: Int
        /// Connections (worker threads).
        public var concurrency: Int
        /// Open loop: orders per second, each timed from when it was due.
        public var rate: Int?
        /// `Prefer: wait` seconds.
        public var wait: Int
        /// When set, orders are sent for this long only (at most `orders`), and the report says how long
        /// the system then takes to answer one order as fast as before the load (`BenchReport.recovery`).
        public var duration: Duration?

        public init(
            baseURL: String, orders: Int, concurrency: Int, rate: Int?, wait: Int = 30, duration: Duration? = nil
        ) {
            self.baseURL = baseURL
            self.orders = orders
            self.concurrency = concurrency
            self.rate = rate
            self.wait = wait
            self.duration = duration
        }
    }

    /// How long a closed-loop client waits after a `503` before its next order: the ingress's `Retry-After`.
    static let retryAfter = 1.0

    private let options: Options

    /// Creates a driver.
    public init(options: Options) {
        self.options = options
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
    }

    /// Runs the load and reports; `progress` gets a line about once a second.
    public func run(progress: @escaping @Sendable (String) -> Void) -> BenchReport {
        let ceiling = measure(path: "/switchboard-bench-sink", orders: Int.max, duration: .milliseconds(500),
                              rate: nil, recorder: LatencyRecorder(), progress: nil).perSecond
        let unloaded = options.duration.map { _ in unloadedLatency() }
        progress(BenchReport.sendingOrders + " (the driver's ceiling: \(Int(ceiling)) requests/s)")
        let recorder = LatencyRecorder()
        let start = ContinuousClock.now
        // The recovery probe starts when the load stops, while the requests still in flight drain.
        let recoveryNanoseconds = Atomic<Int64>(-1)
        let probing = DispatchGroup()
        if let unloaded, let duration = options.duration {
            probing.enter()
            Thread { [self] in
                defer { probing.leave() }
                let end = start + duration
                Thread.sleep(forTimeInterval: max(0, (end - ContinuousClock.now).seconds))
                guard let recovered = recovery(since: end, within: unloaded * 3) else { return }
                let (seconds, attoseconds) = recovered.components
                recoveryNanoseconds.store(seconds * 1_000_000_000 + attoseconds / 1_000_000_000, ordering: .relaxed)
            }.start()
        }
        let sent = measure(path: "/orders", orders: options.orders, duration: options.duration, rate: options.rate,
                           recorder: recorder, progress: progress).sent
        let elapsed = ContinuousClock.now - start
        probing.wait()
        var report = BenchReport(
            mode: "http " + (options.rate.map { "open loop \($0)/s" } ?? "closed loop c=\(options.concurrency)"),
            sent: sent, completed: recorder.completed, errors: recorder.errors, elapsed: elapsed,
            latency: recorder.summary(), driverCeiling: ceiling
        )
        report.shed = recorder.shedCount
        report.slowestAnswer = recorder.slowest
        let recovered = recoveryNanoseconds.load(ordering: .relaxed)
        if recovered >= 0 { report.recovery = .nanoseconds(recovered) }
        return report
    }

    /// The median time one order takes on an idle system, from 11 orders in a row.
    private func unloadedLatency() -> Duration {
        let connection = Connection(url: options.baseURL + "/orders", wait: options.wait)
        let latencies = (0..<11).map { index in
            let start = ContinuousClock.now
            _ = connection.post(Self.order(index))
            return ContinuousClock.now - start
        }
        return latencies.sorted()[latencies.count / 2]
    }

    /// From `end` (when the load stopped) until an order on a connection of its own completes within
    /// `target`; `nil` when that does not happen within a minute.
    private func recovery(since end: ContinuousClock.Instant, within target: Duration) -> Duration? {
        let connection = Connection(url: options.baseURL + "/orders", wait: options.wait)
        var index = 0
        while ContinuousClock.now - end < .seconds(60) {
            let start = ContinuousClock.now
            let outcome = connection.post(Self.order(index))
            if case .success(200, _) = outcome, ContinuousClock.now - start <= target {
                return max(.zero, ContinuousClock.now - end)
            }
            index += 1
            Thread.sleep(forTimeInterval: 0.01)
        }
        return nil
    }

    /// Sends requests from `concurrency` threads until `orders` are sent or `duration` is over; returns
    /// requests per second and how many were sent.
    private func measure(
        path: String, orders: Int, duration: Duration?, rate: Int?, recorder: LatencyRecorder,
        progress: (@Sendable (String) -> Void)?
    ) -> (perSecond: Double, sent: Int) {
        let next = Atomic<Int>(0)
        let sent = Atomic<Int>(0)
        let done = Atomic<Int>(0)
        let start = ContinuousClock.now
        let deadline = duration.map { start + $0 }
        let finished = DispatchGroup()
        for _ in 0..<options.concurrency {
            finished.enter()
            let worker = Thread { [options] in
                defer { finished.leave() }
                let connection = Connection(url: options.baseURL + path, wait: options.wait)
                while true {
                    let index = next.add(1, ordering: .relaxed).oldValue
                    guard index < orders, deadline.map({ ContinuousClock.now < $0 }) ?? true else { return }
                    sent.add(1, ordering: .relaxed)
                    var due = ContinuousClock.now
                    if let rate {
                        due = start + .seconds(Double(index) / Double(rate))
                        let wait = due - ContinuousClock.now
                        if wait > .zero { Thread.sleep(forTimeInterval: wait.seconds) }
                    }
                    let outcome = connection.post(Self.order(index))
                    recorder.answered(after: ContinuousClock.now - due)
                    switch outcome {
                    case .success(200, let body) where body.contains(#""status":"confirmed""#):
                        recorder.record(ContinuousClock.now - due)
                    case .success(200, _): recorder.fail("cancelled")
                    case .success(202, _): recorder.fail("not final within \(options.wait) s")
                    case .success(503, _) where path == "/orders":
                        recorder.shed()
                        if rate == nil { Thread.sleep(forTimeInterval: Self.retryAfter) }
                    case .success(let status, _) where path == "/orders": recorder.fail("http \(status)")
                    case .success: break
                    case .failure(let message): recorder.fail("curl: \(message)")
                    }
                    done.add(1, ordering: .relaxed)
                }
            }
            worker.stackSize = 512 * 1024
            worker.start()
        }
        let reporter = Thread {
            while finished.wait(timeout: .now() + 1) == .timedOut {
                let elapsed = (ContinuousClock.now - start).seconds
                progress?("sent \(sent.load(ordering: .relaxed)), answered \(done.load(ordering: .relaxed)), "
                    + "\(Int(Double(recorder.completed) / max(elapsed, 0.001))) orders/s")
            }
        }
        reporter.start()
        finished.wait()
        return (Double(done.load(ordering: .relaxed)) / (ContinuousClock.now - start).seconds,
                sent.load(ordering: .relaxed))
    }

    private static func order(_ index: Int) -> String {
        #"{"customerId":"bench-\#(index % 1000)","items":[{"sku":"BOOK-1","quantity":1}],"#
            + #""payment":{"card":"4242424242424242"}}"#
    }
}

/// One keep-alive connection: a libcurl easy handle, used by one thread only.
private final class Connection {
    enum Outcome {
        case success(Int, String)
        case failure(String)
    }

    private let handle: UnsafeMutableRawPointer
    private var headers: UnsafeMutablePointer<curl_slist>?
    private let response = ResponseBuffer()

    init(url: String, wait: Int) {
        handle = curl_easy_init()
        _ = ccurl_set_string(handle, CURLOPT_URL, url)
        _ = ccurl_set_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = ccurl_set_long(handle, CURLOPT_TCP_NODELAY, 1)
        _ = ccurl_set_long(handle, CURLOPT_TIMEOUT_MS, (wait + 5) * 1000)
        for header in ["Content-Type: application/json", "Prefer: wait=\(wait)", "Expect:"] {
            headers = curl_slist_append(headers, header)
        }
        _ = ccurl_set_pointer(handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headers))
        _ = ccurl_set_write_callback(handle) { data, size, count, context in
            guard let data, let context else { return 0 }
            let buffer = Unmanaged<ResponseBuffer>.fromOpaque(context).takeUnretainedValue()
            buffer.bytes.append(contentsOf: UnsafeRawBufferPointer(start: data, count: size * count))
            return size * count
        }
        _ = ccurl_set_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(response).toOpaque())
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headers)
    }

    func post(_ body: String) -> Outcome {
        response.bytes.removeAll(keepingCapacity: true)
        _ = ccurl_set_string(handle, CURLOPT_COPYPOSTFIELDS, body)
        let code = curl_easy_perform(handle)
        guard code == CURLE_OK else { return .failure(String(cString: curl_easy_strerror(code))) }
        return .success(ccurl_response_code(handle), String(decoding: response.bytes, as: UTF8.self))
    }
}

/// Where libcurl's write callback puts a response body.
private final class ResponseBuffer {
    var bytes: [UInt8] = []
}
