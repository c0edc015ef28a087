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
}
