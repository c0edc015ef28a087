/// A test waited longer than it allows for something that should have happened.
public struct TestTimeout: Error, Sendable, CustomStringConvertible {
    /// What did not happen in time.
    public var message: String

    /// Creates the error.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// Runs `body`, failing with `TestTimeout` when it takes longer than `timeout`, so a test that waits for
/// something that never comes fails instead of hanging the run.
///
/// `body` is cancelled when the time runs out; it must react to cancellation (async streams and
/// `Task.sleep` do).
/// - Parameters:
///   - timeout: generous: this guards against hangs, it does not measure speed.
///   - what: what is being waited for, for the failure message.
///   - body: the work.
public func withTimeout<Value: Sendable>(
    _ timeout: Duration = .seconds(20), _ what: String = "the test",
    _ body: @escaping @Sendable () async throws -> Value
) async throws -> Value {
    try await withThrowingTaskGroup(of: Value.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw TestTimeout("\(what) did not finish within \(timeout)")
        }
        defer { group.cancelAll() }
        guard let value = try await group.next() else { throw TestTimeout("\(what) produced nothing") }
        return value
    }
}
