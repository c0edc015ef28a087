/// A service's record as the broker holds it: its value, read once by `ServiceRunner`, and its stored form,
/// which a `Commit` decided on it names as `expected` (the version compared, the fields a commit changes).
public struct VersionedRecord<Value: Record>: Sendable, Equatable {
    /// The record, read from `stored`.
    public var value: Value
    /// The record as stored: its version and fields.
    public var stored: StoredRecord

    /// Reads a stored record.
    /// - Throws: `RecordError` when the stored fields are not a `Value`.
    public init(_ stored: StoredRecord) throws(RecordError) {
        self.init(value: try Value(fields: RecordFields(stored.fields)), stored: stored)
    }

    /// Reads a stored record; `nil` when there is none.
    /// - Throws: `RecordError` when the stored fields are not a `Value`.
    public init?(_ stored: StoredRecord?) throws(RecordError) {
        guard let stored else { return nil }
        try self.init(stored)
    }

    /// Pairs a record with its stored form, already read.
    init(value: Value, stored: StoredRecord) {
        self.value = value
        self.stored = stored
    }
}
