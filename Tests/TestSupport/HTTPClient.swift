import Foundation

/// Talks HTTP to the ingress over real sockets by running `curl`.
public struct HTTPClient: Sendable {
    /// What `curl` said about a request it sent.
    public struct Exchange: Sendable {
        /// The parsed response, when one arrived.
        public var reply: HTTPReply?
        /// How curl ended: 0 when the server answered (and, for a stream, closed it) in time.
        public var exitCode: Int32?
        /// How long the exchange took.
        public var elapsed: Duration
    }

    /// The ingress's port on 127.0.0.1.
    public let port: Int
    /// A folder for request bodies.
    public let scratch: String

    /// Creates a client.
    /// - Parameters:
    ///   - port: the ingress's port on 127.0.0.1.
    ///   - scratch: a folder for request bodies.
    public init(port: Int, scratch: String) {
        self.port = port
        self.scratch = scratch
    }

    /// Sends a request and returns the response.
    /// - Parameters:
    ///   - method: the method.
    ///   - path: the path, with query if any.
    ///   - headers: header fields; an empty value removes one curl would add (e.g. `Content-Type`).
    ///   - body: the body, sent as is.
    ///   - timeout: how long curl may take.
    /// - Throws: `TestTimeout` or `ExchangeFailure` when no response could be read.
    public func send(
        _ method: String, _ path: String, headers: [String: String] = [:], body: String? = nil,
        timeout: Int = 20
    ) async throws -> HTTPReply {
        let exchange = try await exchange(method, path, headers: headers, body: body, timeout: timeout)
        guard let reply = exchange.reply else {
            let code = exchange.exitCode.map(String.init) ?? "none"
            throw ExchangeFailure(description: "\(method) \(path): no response (curl exit code \(code))")
        }
        return reply
    }

    /// `GET path`.
    public func get(_ path: String, headers: [String: String] = [:], timeout: Int = 20) async throws -> HTTPReply {
        try await send("GET", path, headers: headers, timeout: timeout)
    }

    /// `POST path` with a JSON body.
    public func post(_ path: String, json: String, headers: [String: String] = [:]) async throws -> HTTPReply {
        try await send("POST", path, headers: ["Content-Type": "application/json"].merging(headers) { $1 }, body: json)
    }

    /// Runs one curl exchange without requiring a response, e.g. to read an event stream to its end.
    public func exchange(
        _ method: String, _ path: String, headers: [String: String] = [:], body: String? = nil, timeout: Int = 20
    ) async throws -> Exchange {
        // No `Expect: 100-continue`: bodies go out at once, whatever their size.
        var arguments = ["-s", "-i", "-N", "--max-time", String(timeout), "-X", method, "-H", "Expect:"]
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            arguments += ["-H", value.isEmpty ? "\(name):" : "\(name): \(value)"]
        }
        if let body {
            let file = scratch + "/body-\(UUID().uuidString).txt"
            try Data(body.utf8).write(to: URL(fileURLWithPath: file))
            arguments += ["--data-binary", "@" + file]
        }
        arguments.append("http://127.0.0.1:\(port)\(path)")
        let started = ContinuousClock.now
        let result = try await ChildProcess.run(Executable.find("curl"), arguments, timeout: .seconds(timeout + 10))
        return Exchange(reply: HTTPReply(curlOutput: result.standardOutput), exitCode: result.exitCode,
                        elapsed: ContinuousClock.now - started)
    }

    /// No response could be read.
    public struct ExchangeFailure: Error, CustomStringConvertible {
        public var description: String
    }
}
