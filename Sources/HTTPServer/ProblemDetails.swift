import JSONBytes

/// An error answer in `application/problem+json` (RFC 9457), and the error a route's handler throws to
/// give it: the router renders whatever a handler throws with `response()`, so no handler builds an
/// error response itself.
public struct ProblemDetails: Error, Sendable, Equatable, JSONWritable {
    /// One invalid field of a request body.
    public struct FieldError: Sendable, Equatable, JSONWritable {
        /// Where the field is, as a JSON Pointer-like path, e.g. `items[0].quantity`.
        public var field: String
        /// What is wrong with it.
        public var message: String

        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }

        /// Writes `{"field":…,"message":…}`.
        public func write(json writer: inout JSONWriter) {
            writer.beginObject()
            writer.member("field", field)
            writer.member("message", message)
            writer.endObject()
        }
    }

    /// A URI naming the problem type.
    public var type: String
    /// A short summary of the problem type.
    public var title: String
    /// The status code.
    public var status: Int
    /// What went wrong with this request.
    public var detail: String
    /// For validation errors, every bad field.
    public var errors: [FieldError]?
    /// Header fields the answer carries besides `Content-Type`, e.g. `Allow` for 405 or `Retry-After` for
    /// 503; not part of the body.
    public var headers: [(name: String, value: String)]

    /// Creates a problem.
    /// - Parameters:
    ///   - status: the status code.
    ///   - type: a short slug; the `type` member becomes `https://switchboard.dev/problems/<slug>`.
    ///   - title: a short summary.
    ///   - detail: what went wrong with this request.
    ///   - errors: the bad fields, for validation errors.
    ///   - headers: more header fields of the answer, e.g. `Retry-After`.
    public init(
        status: Int, type: String, title: String, detail: String, errors: [FieldError]? = nil,
        headers: [(name: String, value: String)] = []
    ) {
        self.type = "https://switchboard.dev/problems/\(type)"
        self.title = title
        self.status = status
        self.detail = detail
        self.errors = errors
        self.headers = headers
    }

    /// `404`: nothing at this path, or no such resource.
    /// - Parameter detail: what was not found, e.g. "no order o-1".
    public static func notFound(_ detail: String) -> ProblemDetails {
        ProblemDetails(status: 404, type: "not-found", title: "Not Found", detail: detail)
    }

    /// The problem as a response: its status, `Content-Type: application/problem+json`, its header fields
    /// and ``body``.
    public func response() -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/problem+json")] + headers,
                     body: .bytes(body))
    }

    /// The members as one JSON document (`write(json:)`).
    public var body: [UInt8] {
        var writer = JSONWriter(capacity: 160 + detail.utf8.count)
        write(json: &writer)
        return writer.bytes
    }

    /// Writes the members as one JSON object with sorted keys (`detail`, `errors` when there are any field
    /// errors, `status`, `title`, `type`), straight into bytes: error answers are most of what an overloaded or
    /// probed ingress sends, so they cost no `JSONEncoder`.
    public func write(json writer: inout JSONWriter) {
        writer.beginObject()
        writer.member("detail", detail)
        if let errors { writer.member("errors", errors) }
        writer.member("status", status)
        writer.member("title", title)
        writer.member("type", type)
        writer.endObject()
    }

    public static func == (left: ProblemDetails, right: ProblemDetails) -> Bool {
        left.type == right.type && left.title == right.title && left.status == right.status
            && left.detail == right.detail && left.errors == right.errors
            && left.headers.elementsEqual(right.headers) { $0.name == $1.name && $0.value == $1.value }
    }
}
