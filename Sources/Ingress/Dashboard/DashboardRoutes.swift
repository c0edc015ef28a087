#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import EventBus
import HTTPServer
import JSONBytes
import SystemReads
import Telemetry

/// The dashboard (`GET /`) and its feeds (`docs/http.md`, "Dashboard"): the page and its files, every
/// event as server-sent events, the metrics summary, the dead letters with a replay, and an order's
/// trace. Replaying a dead letter is the only thing here that changes anything.
struct DashboardRoutes: Sendable {
    /// The most bytes queued for a dashboard's event stream that its browser has not read: past it the
    /// browser is too slow and is cut (it reconnects and starts from the live events).
    static let maximumBufferedBytes = 1 << 20
    /// How often a dashboard's stream sends what its queue holds, as one server-sent event: a browser
    /// then handles a few events a second however busy the bus is.
    static let batchInterval = Duration.milliseconds(100)
    /// How often an idle event stream sends a comment, to find browsers that left: a suspended connection
    /// learns its browser is gone only by writing, so the watch of every channel stops at most two
    /// intervals after the last dashboard closed.
    static let keepAliveInterval = Duration.seconds(5)
    /// The page's files under `/dashboard/`, by name: type and contents.
    static let assets: [String: (type: String, text: String)] = [
        "dashboard.css": ("text/css; charset=utf-8", DashboardAssets.css),
        "dashboard.js": ("text/javascript; charset=utf-8", DashboardAssets.javaScript),
    ]

    let handlers: IngressHandlers
    let feed: DashboardFeed
    let deadLetters: DeadLetterReplay

    /// Adds the dashboard's routes.
    func register(in router: inout Router) {
        router.add("GET", "/", handler: page)
        // The feeds before the files: the first matching route answers.
        router.add("GET", "/dashboard/events", handler: events)
        router.add("GET", "/dashboard/summary", handler: summary)
        router.add("GET", "/dashboard/{asset}", handler: asset)
        router.add("GET", "/deadletters", handler: deadLetterList)
        router.add("POST", "/deadletters/{id}/replay", handler: replay)
        router.add("GET", "/orders/{id}/trace", handler: trace)
    }

    // MARK: GET /, GET /dashboard/{asset}

    func page(_ request: HTTPRequest) async -> HTTPResponse {
        // Everything the page loads or connects to is this ingress: no other origin is allowed.
        text(DashboardAssets.html, type: "text/html; charset=utf-8", extra: [
            ("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"),
        ])
    }

    func asset(_ request: HTTPRequest) async throws(ProblemDetails) -> HTTPResponse {
        let name = request.parameters["asset"] ?? ""
        guard let asset = Self.assets[name] else { throw .notFound("no dashboard file \(name)") }
        return text(asset.text, type: asset.type)
    }

    private func text(_ text: String, type: String, extra: [(name: String, value: String)] = []) -> HTTPResponse {
        HTTPResponse(status: 200, headers: [("Content-Type", type), ("Cache-Control", "no-cache")] + extra,
                     body: .bytes(Array(text.utf8)))
    }

    // MARK: GET /dashboard/events

    /// Every message on the bus from now on, in server-sent events of up to `batchInterval` of them
    /// (`frame(_:)`). Ends when the browser reads too slowly (`DashboardFeed.queueCapacity`,
    /// `maximumBufferedBytes`), leaves, or the ingress stops.
    func events(_ request: HTTPRequest) async -> HTTPResponse {
        let feed = self.feed
        let headers = [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")]
        return HTTPResponse(status: 200, headers: headers, body: .stream { writer in
            let token = feed.connect()
            defer { feed.disconnect(token) }
            guard writer.write(Array("retry: 1000\n: connected\n\n".utf8)) else { return }
            var quiet = Duration.zero
            while (try? await Task.sleep(for: Self.batchInterval)) != nil, let messages = feed.take(token) {
                if messages.isEmpty {
                    quiet += Self.batchInterval
                    guard quiet >= Self.keepAliveInterval else { continue }
                    quiet = .zero
                    guard writer.write(Array(": keep-alive\n\n".utf8)) else { return }
                    continue
                }
                quiet = .zero
                guard writer.bufferedByteCount < Self.maximumBufferedBytes, writer.write(Self.frame(messages)) else {
                    return
                }
            }
        })
    }

    /// Messages as one server-sent event: one `data` line each, the channel, a space, then the message
    /// as published with its line breaks as spaces (insignificant in JSON) and its card numbers masked
    /// (`CardNumberMask`: an event published with `redis-cli` may carry one), spaces in the channel as `_`.
    static func frame(_ messages: [InboundMessage]) -> [UInt8] {
        let lineBreak: (UInt8) -> Bool = { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }
        var frame: [UInt8] = []
        for message in messages {
            frame += Array("data: ".utf8)
            frame += message.channel.utf8.map { lineBreak($0) || $0 == UInt8(ascii: " ") ? UInt8(ascii: "_") : $0 }
            frame.append(UInt8(ascii: " "))
            frame += CardNumberMask.masked(message.payload).map { lineBreak($0) ? UInt8(ascii: " ") : $0 }
            frame.append(UInt8(ascii: "\n"))
        }
        return frame + [UInt8(ascii: "\n")]
    }

    // MARK: GET /dashboard/summary

    func summary(_ request: HTTPRequest) async -> HTTPResponse {
        let snapshots = await handlers.metricsSnapshots().map(\.snapshot)
        let summary = DashboardSummary.make(snapshots, services: HealthReport.requiredServices,
                                            time: RFC3339.string(from: Date()))
        return .json(status: 200, IngressHandlers.json(summary), headers: [("Cache-Control", "no-cache")])
    }

    // MARK: GET /deadletters, POST /deadletters/{id}/replay

    /// A dead letter as the dashboard shows it: the payload as text.
    private struct DeadLetterView: Encodable {
        var id: String
        var channel: String
        var service: String
        var reason: String
        var time: String
        var payload: String

        init(_ letter: DeadLetter) {
            id = letter.id ?? ""
            channel = letter.channel
            service = letter.service
            reason = letter.reason
            time = RFC3339.string(from: letter.time)
            payload = String(decoding: letter.payload, as: UTF8.self)
        }
    }

    func deadLetterList(_ request: HTTPRequest) async throws(ProblemDetails) -> HTTPResponse {
        do {
            let letters = try await deadLetters.list()
            return .json(status: 200, IngressHandlers.json(["deadLetters": letters.map(DeadLetterView.init)]),
                         headers: [("Cache-Control", "no-cache")])
        } catch {
            throw .unavailable("Redis is unreachable: \(error.message)")
        }
    }

    /// Publishes the dead letter again on its channel and removes it, as `switchboard dlq replay ID` does.
    func replay(_ request: HTTPRequest) async throws(ProblemDetails) -> HTTPResponse {
        let id = request.parameters["id"] ?? ""
        let letter: DeadLetter?
        do {
            letter = try await deadLetters.replay([id]).first
        } catch {
            switch error {
            case .missing: throw .notFound(error.message)
            case .maskedCard:
                throw ProblemDetails(status: 409, type: "masked-card", title: "Card Number Masked",
                                     detail: error.message)
            case .unavailable: throw .unavailable(error.message)
            }
        }
        guard let letter else { throw .notFound("no dead letter \(id)") }
        return .json(status: 200, IngressHandlers.json(["replayed": DeadLetterView(letter)]))
    }

    // MARK: GET /orders/{id}/trace

    /// What `switchboard trace` shows, as JSON: the order's status and the events of its chain from its
    /// trace log, in causal order, each as published.
    func trace(_ request: HTTPRequest) async throws(ProblemDetails) -> HTTPResponse {
        let id = request.parameters["id"] ?? ""
        let record: (status: String, final: Bool)?
        let events: [CloudEvent]
        do {
            record = try await handlers.store.order(id).map { ($0.status.rawValue, $0.status.isFinal) }
            events = try await handlers.reads.trace(id)
        } catch {
            throw .unreachable(error)
        }
        guard record != nil || !events.isEmpty else { throw .notFound("no order \(id)") }
        let head = IngressHandlers.json(["orderId": id, "status": record?.status ?? "pending"])
        var body = Array(head.dropLast()) + Array(",\"final\":\(record?.final ?? false),\"events\":[".utf8)
        for (index, event) in events.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body += event.encoded()
        }
        return .json(status: 200, body + Array("]}".utf8), headers: [("Cache-Control", "no-cache")])
    }
}
