import HTTPServer

/// `GET /openapi.yaml` and `GET /asyncapi.yaml`: the contract's machine-readable documents, served from
/// the copies compiled into the binary (`ContractDocuments`), so the ingress serves them wherever it runs.
enum ContractDocumentRoutes {
    /// `docs/openapi.yaml`: the HTTP API.
    static func openAPI(_ request: HTTPRequest) async -> HTTPResponse {
        yaml(ContractDocuments.openAPI)
    }

    /// `docs/asyncapi.yaml`: the events and channels.
    static func asyncAPI(_ request: HTTPRequest) async -> HTTPResponse {
        yaml(ContractDocuments.asyncAPI)
    }

    /// A YAML document (`application/yaml`, RFC 9512).
    private static func yaml(_ text: String) -> HTTPResponse {
        HTTPResponse(status: 200, headers: [("Content-Type", "application/yaml"), ("Cache-Control", "no-cache")],
                     body: .bytes(Array(text.utf8)))
    }
}
