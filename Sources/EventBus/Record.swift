/// A service's record for one order, kept as flat text fields (`StoredRecord`): a Redis hash whose
/// fields a commit writes one by one, so nothing is decoded or encoded as a whole document.
public protocol Record: Sendable, Equatable {
    /// Reads the record from its stored fields.
    /// - Throws: `RecordError` naming the field that is missing or cannot be read (a corrupted key).
    init(fields: RecordFields) throws(RecordError)

    /// The record as fields to store; an optional value that is absent has no field.
    var fields: [String: String] { get }
}

extension Record {
    /// Reads a stored record; `nil` when there is none.
    /// - Throws: `RecordError` when the stored fields are not this record.
    public init?(stored: StoredRecord?) throws(RecordError) {
        guard let stored else { return nil }
        try self.init(fields: RecordFields(stored.fields))
    }
}
