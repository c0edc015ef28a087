import HTTPServer

/// The order request validation of the ingress: each input is the body of `POST /orders`.
///
/// Properties (`IngressHarness.check`): nothing the schema forbids is accepted (checked with an independent
/// JSON reader), an accepted order is published as exactly what was asked, a 422 names a reason for each
/// field, every error is a problem document with its status.
@_cdecl("LLVMFuzzerTestOneInput")
public func orderRequestTarget(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    IngressHarness.check(HTTPRequest(method: "POST", path: "/orders", headers: [("Content-Type", "application/json")],
                                     body: FuzzCheck.bytes(data, size)))
    return 0
}
