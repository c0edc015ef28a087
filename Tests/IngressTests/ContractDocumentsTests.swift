import Foundation
import Ingress
import TestSupport
import Testing

@Suite("The documents the ingress serves are docs/ byte for byte")
struct ContractDocumentsTests {
    @Test("ContractDocuments.openAPI is docs/openapi.yaml and asyncAPI is docs/asyncapi.yaml (`make docs`)",
          arguments: [
              ("docs/openapi.yaml", ContractDocuments.openAPI), ("docs/asyncapi.yaml", ContractDocuments.asyncAPI),
          ])
    func embedded(path: String, text: String) throws {
        let file = try Data(contentsOf: URL(fileURLWithPath: Repository.path(path)))
        #expect(Array(text.utf8) == Array(file), "\(path) changed: run `make docs`")
    }
}
