/// Routes requests by method and path pattern to async handlers.
///
/// Patterns are literal segments and `{name}` parameters, e.g. `/orders/{id}/events`. A path that no
/// pattern matches is answered `404`; a path some pattern matches but not with this method is answered
/// `405` with an `Allow` header; both as `application/problem+json`.
public struct Router: Sendable {
    /// What handles a request.
    public typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse

    private struct Route: Sendable {
        var method: String
        var segments: [Substring]
        var name: String
        var handler: Handler
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

    /// The route a request matches: its pattern (for metrics) and parameters; `nil` when none.
    public func match(_ request: HTTPRequest) -> (pattern: String, parameters: [String: String])? {
        let path = Self.segments(of: request.path)
        for route in routes where route.method == request.method {
            if let parameters = Self.parameters(route.segments, path) { return (route.name, parameters) }
        }
        return nil
    }

    /// Answers a request.
    public func respond(to request: HTTPRequest) async -> HTTPResponse {
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
            return await route.handler(routed)
        }
        if allowed.isEmpty {
            return ProblemDetails(status: 404, type: "not-found", title: "Not Found",
                                  detail: "no resource at \(request.path)").response()
        }
        let allow = allowed.joined(separator: ", ")
        return ProblemDetails(status: 405, type: "method-not-allowed", title: "Method Not Allowed",
                              detail: "\(request.method) is not allowed on \(request.path); use \(allow)")
            .response(headers: [("Allow", allow)])
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
