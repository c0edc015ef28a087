#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An error answer in `application/problem+json` (RFC 9457).
public struct ProblemDetails: Sendable, Encodable, Equatable {
    /// One invalid field of a request body.
    public struct FieldError: Sendable, Encodable, Equatable {
        /// Where the field is, as a JSON Pointer-like path, e.g. `items[0].quantity`.
        public var field: String
        /// What is wrong with it.
        public var message: String

        public init(field: String, message: String) {
            self.field = field
            self.message = message
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

    /// Creates a problem.
    /// - Parameters:
    ///   - status: the status code.
    ///   - type: a short slug; the `type` member becomes `https://switchboard.dev/problems/<slug>`.
    ///   - title: a short summary.
    ///   - detail: what went wrong with this request.
    ///   - errors: the bad fields, for validation errors.
    public init(status: Int, type: String, title: String, detail: String, errors: [FieldError]? = nil) {
        self.type = "https://switchboard.dev/problems/\(type)"
        self.title = title
        self.status = status
        self.detail = detail
        self.errors = errors
    }

    /// The problem as a response.
    /// - Parameter headers: more header fields, e.g. `Allow` for 405.
    public func response(headers: [(name: String, value: String)] = []) -> HTTPResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? Array(encoder.encode(self))) ?? []
        return HTTPResponse(status: status, headers: [("Content-Type", "application/problem+json")] + headers,
                            body: .bytes(body))
    }
}
