/// The services of a `ServiceGroup` that threw.
public struct ServiceGroupError: Error, Sendable, CustomStringConvertible {
    /// One service's failure.
    public struct Failure: Sendable, Equatable {
        /// The service's name in the group's logs.
        public var service: String
        /// What it threw.
        public var error: String

        /// Creates a failure.
        /// - Parameters:
        ///   - service: the service's name.
        ///   - error: what it threw, as text.
        public init(service: String, error: String) {
            self.service = service
            self.error = error
        }
    }

    /// Every failure, in the order the services ended.
    public var failures: [Failure]

    /// `name: error` for each failure, separated by semicolons.
    public var message: String {
        failures.map { "\($0.service): \($0.error)" }.joined(separator: "; ")
    }

    public var description: String { message }
}
