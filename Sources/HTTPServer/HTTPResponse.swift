/// An HTTP response: status, header fields and a body that is either complete or streamed.
public struct HTTPResponse: Sendable {
    /// How the body is produced.
    public enum Body: Sendable {
        /// All bytes at once.
        case bytes([UInt8])
        /// Written piece by piece (server-sent events): the producer runs after the head is sent and
        /// the response ends when it returns.
        case stream(@Sendable (ResponseBodyWriter) async -> Void)
    }

    /// The status code.
    public var status: Int
    /// The header fields.
    public var headers: [(name: String, value: String)]
    /// The body.
    public var body: Body

    /// Creates a response.
    public init(status: Int, headers: [(name: String, value: String)] = [], body: Body = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response with a JSON body.
    /// - Parameters:
    ///   - status: the status code.
    ///   - json: the body, already encoded.
    ///   - headers: more header fields.
    public static func json(status: Int, _ json: [UInt8], headers: [(name: String, value: String)] = [])
        -> HTTPResponse
    {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: .bytes(json))
    }
}
