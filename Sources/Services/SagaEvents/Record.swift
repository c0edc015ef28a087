#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A service's record for one order, stored as JSON text in the service's own key.
public protocol Record: Codable, Sendable, Equatable {}

extension Record {
    /// Reads a stored record; `nil` when there is none.
    /// - Throws: when the stored text is not this record (a corrupted key).
    public init?(stored text: String?) throws {
        guard let text else { return nil }
        self = try RecordCoding.decoder.decode(Self.self, from: Data(text.utf8))
    }

    /// The record as JSON text to store (keys sorted, so equal records store equal text).
    public var stored: String {
        // Records are plain structs of strings, integers and arrays: encoding cannot fail.
        (try? String(decoding: RecordCoding.encoder.encode(self), as: UTF8.self)) ?? "{}"
    }
}

/// The coders records share: made once, as making them costs more than a small record's coding.
private enum RecordCoding {
    static let decoder = JSONDecoder()
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()
}
