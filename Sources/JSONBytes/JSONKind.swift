/// The kind of a JSON value, as its first byte tells it.
public enum JSONKind: Sendable, Equatable, CaseIterable {
    case object
    case array
    case string
    case number
    case boolean
    case null

    /// The kind's name for messages: `object`, `array`, `string`, `number`, `boolean`, `null`.
    public var name: String {
        switch self {
        case .object: "object"
        case .array: "array"
        case .string: "string"
        case .number: "number"
        case .boolean: "boolean"
        case .null: "null"
        }
    }

    /// The name with its article, for "expected …, found …": `an object`, `a string`, `null`.
    public var phrase: String {
        switch self {
        case .object, .array: "an \(name)"
        case .null: name
        case .string, .number, .boolean: "a \(name)"
        }
    }
}
