/// An answer of the stock counters that cannot be read: they hold data this version does not know.
public struct StockCountersError: Error, Sendable, CustomStringConvertible {
    /// What is wrong.
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
