import Foundation
import Testing

/// One HTTP response as `curl -i` printed it: status, header fields and body.
public struct HTTPReply: Sendable, CustomStringConvertible {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: String

    /// Parses `curl -i` output, skipping interim `1xx` responses.
    public init?(curlOutput: String) {
        var rest = Substring(curlOutput)
        while true {
            guard let end = rest.range(of: "\r\n\r\n") else { return nil }
            let lines = rest[..<end.lowerBound].components(separatedBy: "\r\n")
            let statusLine = lines[0].split(separator: " ")
            guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/"), let status = Int(statusLine[1]) else {
                return nil
            }
            rest = rest[end.upperBound...]
            if (100..<200).contains(status) { continue }
            self.status = status
            self.headers = lines.dropFirst().compactMap { line in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
            self.body = String(rest)
            return
        }
    }

    /// The first value of a header field, compared without case.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The media type of the body, without parameters.
    public var mediaType: String? {
        header("Content-Type")?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// The body as a JSON object.
    public var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
    }

    /// The `field`s of a problem's `errors` list.
    public var errorFields: [String] {
        (json?["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
    }

    public var description: String {
        "\(status) \(headers.map { "\($0.name): \($0.value)" }.joined(separator: "; ")) \(body.debugDescription)"
    }

    /// Expects an RFC 9457 problem with this status: `application/problem+json` with `type`, `title`,
    /// `status` (the same as the response's) and `detail`.
    public func expectProblem(_ status: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(self.status == status, "\(self)", sourceLocation: sourceLocation)
        #expect(mediaType == "application/problem+json", "\(self)", sourceLocation: sourceLocation)
        let problem = json ?? [:]
        #expect((problem["type"] as? String)?.isEmpty == false, "\(self)", sourceLocation: sourceLocation)
        #expect((problem["title"] as? String)?.isEmpty == false, "\(self)", sourceLocation: sourceLocation)
        #expect(problem["status"] as? Int == status, "\(self)", sourceLocation: sourceLocation)
        #expect((problem["detail"] as? String)?.isEmpty == false, "\(self)", sourceLocation: sourceLocation)
    }
}
