import HTTPServer

/// The HTTP request path from the request libmicrohttpd hands over to the response: routing, headers
/// (`Content-Type`, `Idempotency-Key`, `traceparent`), bodies, every route of the ingress. The input is
/// spread over method, path, header fields and body by `FuzzInput` (libmicrohttpd's own parsing of the
/// bytes on the wire is not part of this target). `Prefer: wait` is left out: it waits for real time.
///
/// Properties: as `IngressHarness.check`.
@_cdecl("LLVMFuzzerTestOneInput")
public func httpTarget(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(FuzzCheck.bytes(data, size))
    let method = input.pick(["POST", "GET", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", ""])
    let segment = input.shortText()
    let path = input.pick(["/orders", "/orders/\(segment)", "/orders/\(segment)/events", "/stock/\(segment)", "/health",
                           "/metrics", "/openapi.yaml", "/asyncapi.yaml", segment])
    var headers: [(name: String, value: String)] = []
    for _ in 0..<input.pick([0, 1, 2, 3, 4]) {
        let name = input.pick(["Content-Type", "Idempotency-Key", "traceparent", "Accept", "content-type", "X-Other"])
        headers.append((name, input.shortText()))
    }
    IngressHarness.check(HTTPRequest(method: method, path: path, headers: headers, body: input.rest()))
    return 0
}
