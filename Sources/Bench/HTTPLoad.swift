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

        public init(baseURL: String, orders: Int, concurrency: Int, rate: Int?, wait: Int = 30) {
            self.baseURL = baseURL
            self.orders = orders
            self.concurrency = concurrency
            self.rate = rate
            self.wait = wait
        }
    }

    private let options: Options

    /// Creates a driver.
    public init(options: Options) {
        self.options = options
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
    }

    /// Runs the load and reports; `progress` gets a line about once a second.
    public func run(progress: @escaping @Sendable (String) -> Void) -> BenchReport {
        let ceiling = measure(path: "/switchboard-bench-sink", orders: Int.max, duration: .milliseconds(500),
                              rate: nil, recorder: LatencyRecorder(), progress: nil)
        let recorder = LatencyRecorder()
        let (sent, elapsed) = (options.orders, ContinuousClock.now)
        _ = measure(path: "/orders", orders: options.orders, duration: nil, rate: options.rate, recorder: recorder,
                    progress: progress)
        return BenchReport(
            mode: "http " + (options.rate.map { "open loop \($0)/s" } ?? "closed loop c=\(options.concurrency)"),
            sent: sent, completed: recorder.completed, errors: recorder.errors, elapsed: ContinuousClock.now - elapsed,
            latency: recorder.summary(), driverCeiling: ceiling
        )
    }

    /// Sends requests from `concurrency` threads until `orders` are sent or `duration` is over; returns
    /// requests per second.
    private func measure(
        path: String, orders: Int, duration: Duration?, rate: Int?, recorder: LatencyRecorder,
        progress: (@Sendable (String) -> Void)?
    ) -> Double {
        let next = Atomic<Int>(0)
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
                    var due = ContinuousClock.now
                    if let rate {
                        due = start + .seconds(Double(index) / Double(rate))
                        let wait = due - ContinuousClock.now
                        if wait > .zero { Thread.sleep(forTimeInterval: wait.seconds) }
                    }
                    let outcome = connection.post(Self.order(index))
                    switch outcome {
                    case .success(200, let body) where body.contains(#""status":"confirmed""#):
                        recorder.record(ContinuousClock.now - due)
                    case .success(200, _): recorder.fail("cancelled")
                    case .success(202, _): recorder.fail("not final within \(options.wait) s")
                    case .success(let status, _) where path == "/orders": recorder.fail("http \(status)")
                    case .success: break
                    case .failure(let message): recorder.fail("curl: \(message)")
                    }
                    done.add(1, ordering: .relaxed)
                }
            }
            worker.start()
        }
        let reporter = Thread {
            while finished.wait(timeout: .now() + 1) == .timedOut {
                let elapsed = (ContinuousClock.now - start).seconds
                progress?("sent \(min(next.load(ordering: .relaxed), orders)), answered \(done.load(ordering: .relaxed)), "
                    + "\(Int(Double(recorder.completed) / max(elapsed, 0.001))) orders/s")
            }
        }
        reporter.start()
        finished.wait()
        return Double(done.load(ordering: .relaxed)) / (ContinuousClock.now - start).seconds
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
