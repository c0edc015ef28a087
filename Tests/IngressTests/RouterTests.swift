import Foundation
import HTTPServer
import Testing

/// `Router`: one match per request, which names the route and answers it, rendering thrown problems.
@Suite("Router matches once and renders what handlers throw")
struct RouterTests {
    private static let router: Router = {
        var router = Router()
        router.add("GET", "/orders/{id}") { request in
            .json(status: 200, Array((request.parameters["id"] ?? "").utf8))
        }
        router.add("POST", "/orders/{id}") { (_) throws(ProblemDetails) in
            throw ProblemDetails(status: 409, type: "conflict", title: "Conflict", detail: "taken",
                                 headers: [("Retry-After", "2")])
        }
        router.add("GET", "/orders/{id}/events") { _ in HTTPResponse(status: 204) }
        return router
    }()

    @Test("the match carries the route's pattern and the decoded parameters")
    func match() async {
        let match = Self.router.match(HTTPRequest(method: "GET", path: "/orders/a%20b"))
        #expect(match.route == "/orders/{id}")
        #expect(match.request.parameters == ["id": "a b"])
        let response = await match.respond()
        #expect(response.status == 200)
        #expect(Self.router.match(HTTPRequest(method: "GET", path: "/orders/x/events")).route == "/orders/{id}/events")
    }

    @Test("a thrown problem is rendered as application/problem+json with its headers")
    func thrownProblem() async {
        let match = Self.router.match(HTTPRequest(method: "POST", path: "/orders/x"))
        #expect(match.route == "/orders/{id}")
        let response = await match.respond()
        #expect(response.status == 409)
        #expect(response.headers.map(\.name) == ["Content-Type", "Retry-After"])
        #expect(response.headers.map(\.value) == ["application/problem+json", "2"])
        guard case .bytes(let body) = response.body else {
            Issue.record("a problem's body is bytes")
            return
        }
        #expect(String(decoding: body, as: UTF8.self) == """
            {"detail":"taken","status":409,"title":"Conflict","type":"https://switchboard.dev/problems/conflict"}
            """)
    }

    @Test("no route: 404, or 405 with Allow listing each method once; the match names no route")
    func unmatched() async {
        let notFound = Self.router.match(HTTPRequest(method: "GET", path: "/stock"))
        #expect(notFound.route == nil)
        #expect(await notFound.respond().status == 404)
        let notAllowed = Self.router.match(HTTPRequest(method: "PUT", path: "/orders/x"))
        #expect(notAllowed.route == nil)
        let response = await notAllowed.respond()
        #expect(response.status == 405)
        #expect(response.headers.first { $0.name == "Allow" }?.value == "GET, POST")
    }

    @Test("a problem's body: sorted keys, field errors in order, text escaped as JSON, the same as JSONEncoder wrote")
    func problemBody() throws {
        let problem = ProblemDetails(
            status: 422, type: "invalid-order", title: "Invalid Order",
            detail: "2 field(s) are invalid: \"quoted\", back\\slash, line\nbreak, tab\t, \u{1}, ünï/cødé",
            errors: [
                .init(field: "items[0].quantity", message: "must be 1 to 1000"),
                .init(field: "payment.card", message: "must be \"digits\""),
            ]
        )
        #expect(String(decoding: problem.body, as: UTF8.self) == #"""
            {"detail":"2 field(s) are invalid: \"quoted\", back\\slash, line\nbreak, tab\t, \u0001, ünï/cødé",\#
            "errors":[{"field":"items[0].quantity","message":"must be 1 to 1000"},\#
            {"field":"payment.card","message":"must be \"digits\""}],\#
            "status":422,"title":"Invalid Order","type":"https://switchboard.dev/problems/invalid-order"}
            """#)
        // What the JSONEncoder the body replaced wrote for the same members.
        struct Encoded: Encodable {
            struct Field: Encodable { var field, message: String }
            var detail: String, errors: [Field]?, status: Int, title: String, type: String
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let expected = try encoder.encode(Encoded(
            detail: problem.detail, errors: problem.errors?.map { .init(field: $0.field, message: $0.message) },
            status: problem.status, title: problem.title, type: problem.type
        ))
        let decodedOurs = try JSONSerialization.jsonObject(with: Data(problem.body)) as? NSDictionary
        let decodedTheirs = try JSONSerialization.jsonObject(with: expected) as? NSDictionary
        #expect(decodedOurs != nil && decodedOurs == decodedTheirs)
        let withoutErrors = ProblemDetails.notFound("no order o-1")
        #expect(String(decoding: withoutErrors.body, as: UTF8.self) == """
            {"detail":"no order o-1","status":404,"title":"Not Found","type":"https://switchboard.dev/problems/not-found"}
            """)
    }
}
