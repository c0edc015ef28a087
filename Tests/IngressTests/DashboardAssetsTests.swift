import Foundation
import Ingress
import TestSupport
import Testing

@Suite("The dashboard the ingress serves is dashboard/ byte for byte")
struct DashboardAssetsTests {
    @Test("DashboardAssets holds dashboard/index.html, dashboard.css and dashboard.js (`make docs`)",
          arguments: [
              ("dashboard/index.html", DashboardAssets.html), ("dashboard/dashboard.css", DashboardAssets.css),
              ("dashboard/dashboard.js", DashboardAssets.javaScript),
          ])
    func embedded(path: String, text: String) throws {
        let file = try Data(contentsOf: URL(fileURLWithPath: Repository.path(path)))
        #expect(Array(text.utf8) == Array(file), "\(path) changed: run `make docs`")
    }
}
