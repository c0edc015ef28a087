import HTTPServer
import Testing

/// `HTTPRequest.header(_:)`: field names compared as RFC 9110 says, without case.
@Suite("HTTPRequest finds header fields by name without case")
struct HTTPRequestTests {
    @Test("a field is found whatever the case of its name, the first of repeated ones wins")
    func headerIgnoresCase() {
        let request = HTTPRequest(method: "POST", path: "/orders", headers: [
            ("content-TYPE", "application/json"), ("Prefer", "wait=5"), ("PREFER", "wait=9"),
        ])
        #expect(request.header("Content-Type") == "application/json")
        #expect(request.header("content-type") == "application/json")
        #expect(request.header("prefer") == "wait=5")
        #expect(request.header("Idempotency-Key") == nil)
    }

    @Test("only letters match across case: names that differ in other bytes, or in length, do not")
    func onlyLettersFold() {
        let request = HTTPRequest(method: "GET", path: "/", headers: [("X-[a]", "1"), ("Prefer", "wait=1")])
        #expect(request.header("X-{A}") == nil)  // '[' and '{' differ by the case bit but are not letters
        #expect(request.header("x-[A]") == "1")
        #expect(request.header("Prefe") == nil)
        #expect(request.header("Preferr") == nil)
    }
}
