import Foundation

/// Files of this repository, for tests that start the real executable with its real configuration.
public enum Repository {
    /// The folder holding `Package.swift`.
    public static var root: URL {
        var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path),
              folder.path != "/" {
            folder = folder.deletingLastPathComponent()
        }
        return folder
    }

    /// The absolute path of a file in the repository, e.g. `Config/catalog.json`.
    public static func path(_ relative: String) -> String {
        root.appendingPathComponent(relative).path
    }
}
