/// Routes requests by method and path pattern to async handlers.
///
/// Patterns are literal segments and `{name}` parameters, e.g. `/orders/{id}/events`. A path that no
/// pattern matches is answered `404`; a path some pattern matches but not with this method is answered
/// `405` with an `Allow` header. A handler answers with a response or throws a `ProblemDetails`, which
/// the router renders (`ProblemDetails.response()`): every error answer is `application/problem+json`.
///
/// A request is matched once (`match(_:)`): the `Match` carries the route's pattern, for metrics and
/// logs, and answers the request.
public struct Router: Sendable {
    /// What handles a request: a response, or a thrown problem the router renders.
    public typealias Handler = @Sendable (HTTPRequest) async throws(ProblemDetails) -> HTTPResponse

    fileprivate struct Route: Sendable {
        var method: String
        var segments: [Substring]
        var name: String
        var handler: Handler
    }

    /// A request matched to its route, or to the problem that answers it when no route takes it.
    public struct Match: Sendable {
        fileprivate enum Answer: Sendable {
            case handler(Handler)
            case problem(ProblemDetails)
        }

        /// The pattern of the matched route, e.g. `/orders/{id}`; `nil` when none matched (`404`, `405`).
        public let route: String?
        /// The request with the parameters taken from its path (`HTTPRequest.parameters`).
        public let request: HTTPRequest
        private let answer: Answer

        fileprivate init(route: String?, request: HTTPRequest, answer: Answer) {
            self.route = route
            self.request = request
            self.answer = answer
        }

        fileprivate static func route(_ route: Route, request: HTTPRequest) -> Match {
            Match(route: route.name, request: request, answer: .handler(route.handler))
        }

        fileprivate static func problem(_ problem: ProblemDetails, request: HTTPRequest) -> Match {
            Match(route: nil, request: request, answer: .problem(problem))
        }

        /// Answers the request: the route's handler's response, or the problem it threw or that no route
        /// matched, rendered.
        public func respond() async -> HTTPResponse {
            switch answer {
            case .handler(let handler):
                do {
                    return try await handler(request)
                } catch {
                    return error.response()
                }
            case .problem(let problem):
                return problem.response()
            }
        }
    }

    private var routes: [Route] = []

    /// Creates an empty router.
    public init() {}

    /// Adds a route.
    /// - Parameters:
    ///   - method: the method, e.g. `GET`.
    ///   - pattern: the path pattern, e.g. `/orders/{id}`.
    ///   - handler: what answers it.
    public mutating func add(_ method: String, _ pattern: String, handler: @escaping Handler) {
        routes.append(Route(method: method, segments: Self.segments(of: pattern), name: pattern, handler: handler))
    }

    /// The route a request matches, first added first; when none does, the `404` or `405` that answers it.
    public func match(_ request: HTTPRequest) -> Match {
        let path = Self.segments(of: request.path)
        var allowed: [String] = []
        for route in routes {
            guard let parameters = Self.parameters(route.segments, path) else { continue }
            guard route.method == request.method else {
                if !allowed.contains(route.method) { allowed.append(route.method) }
                continue
            }
            var routed = request
            routed.parameters = parameters
            return .route(route, request: routed)
        }
        if allowed.isEmpty {
            return .problem(.notFound("no resource at \(request.path)"), request: request)
        }
        let allow = allowed.joined(separator: ", ")
        let problem = ProblemDetails(
            status: 405, type: "method-not-allowed", title: "Method Not Allowed",
            detail: "\(request.method) is not allowed on \(request.path); use \(allow)", headers: [("Allow", allow)]
        )
        return .problem(problem, request: request)
    }

    /// Matches and answers a request.
    public func respond(to request: HTTPRequest) async -> HTTPResponse {
        await match(request).respond()
    }

    private static func segments(of path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }

    private static func parameters(_ pattern: [Substring], _ path: [Substring]) -> [String: String]? {
        guard pattern.count == path.count else { return nil }
        var parameters: [String: String] = [:]
        for (expected, actual) in zip(pattern, path) {
            if expected.hasPrefix("{"), expected.hasSuffix("}") {
                parameters[String(expected.dropFirst().dropLast())] = String(actual).removingPercentEncoding
            } else if expected != actual {
                return nil
            }
        }
        return parameters
    }
}

extension String {
    /// The string with `%XX` escapes decoded; the string as it is when an escape is malformed.
    fileprivate var removingPercentEncoding: String {
        guard contains("%") else { return self }
        var bytes: [UInt8] = []
        var index = utf8.startIndex
        let view = utf8
        while index < view.endIndex {
            let byte = view[index]
            if byte == UInt8(ascii: "%"), view.distance(from: index, to: view.endIndex) >= 3,
               let value = UInt8(String(decoding: view[view.index(after: index)..<view.index(index, offsetBy: 3)],
                                        as: UTF8.self), radix: 16) {
                bytes.append(value)
                index = view.index(index, offsetBy: 3)
            } else {
                bytes.append(byte)
                index = view.index(after: index)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
