import EventBus

extension Commit {
    /// The record the commit leaves once its outcome is applied, read as the service's record type, as
    /// `ServiceRunner` hands it to the next decision.
    /// - Throws: `RecordError` when the outcome's fields are not a `Value`.
    public func appliedRecord<Value: Record>(as type: Value.Type = Value.self) throws -> VersionedRecord<Value> {
        try VersionedRecord(StoredRecord(version: expectedVersion + 1, fields: outcome.record))
    }
}
