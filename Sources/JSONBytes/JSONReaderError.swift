/// Why a JSON document could not be read, or could not be read as the type asked for.
///
/// Syntax errors say what was expected at which byte. The others name the value by its path from the root
/// (`items[0].quantity`), which callers prefix with the root's name (`data.items[0].quantity is missing`).
public struct JSONReaderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of problem.
    public enum Kind: Sendable, Equatable {
        /// The bytes are not JSON (RFC 8259), or nest deeper than the reader's limit.
        case syntax
        /// An object lacks a member the type requires.
        case missingMember
        /// A value is `null` where the type requires one.
        case nullValue
        /// A value is of another JSON kind than the type requires.
        case typeMismatch
        /// A value is of the right kind but not one the type accepts (a fraction for an integer, an unknown case).
        case invalidValue
    }

    /// One step of a path from the root to a value.
    public enum PathComponent: Sendable, Equatable {
        /// An object's member.
        case member(String)
        /// An array's element.
        case index(Int)
    }

    /// The kind of problem.
    public var kind: Kind
    /// The byte offset, from the start of the reader's input, where the problem is.
    public var offset: Int
    /// The path from the root to the value at fault; empty for the root and for syntax errors.
    public var path: [PathComponent]
    /// What is wrong, without the path: `expected ':' after a member name, found '}'`, `is missing`,
    /// `has the wrong type, expected a number, found a string`.
    public var reason: String

    /// Creates an error.
    /// - Parameters:
    ///   - kind: the kind of problem.
    ///   - offset: where it is, in bytes from the start of the input.
    ///   - path: the path to the value at fault.
    ///   - reason: what is wrong, without the path.
    public init(_ kind: Kind, at offset: Int, path: [PathComponent] = [], _ reason: String) {
        self.kind = kind
        self.offset = offset
        self.path = path
        self.reason = reason
    }

    /// The same error, one level further from the root: `component` goes in front of the path.
    public func within(_ component: PathComponent) -> JSONReaderError {
        var error = self
        error.path.insert(component, at: 0)
        return error
    }

    /// The path rendered after `root`: `data.items[0].quantity`.
    public func pathText(root: String) -> String {
        var text = root
        for component in path {
            switch component {
            case .member(let name): text += ".\(name)"
            case .index(let index): text += "[\(index)]"
            }
        }
        return text
    }

    /// The message for a person, with the value named from `root`: `data.items is missing`,
    /// `data.amount has the wrong type, expected a number, found a string`,
    /// `data is not valid JSON at byte 12: expected ',' or '}' after an object member, found 'x'`.
    public func message(root: String) -> String {
        switch kind {
        case .syntax: "\(root) is not valid JSON at byte \(offset): \(reason)"
        case .missingMember, .nullValue, .typeMismatch: "\(pathText(root: root)) \(reason)"
        case .invalidValue: "\(pathText(root: root)): \(reason)"
        }
    }

    public var description: String {
        kind == .syntax
            ? "not valid JSON at byte \(offset): \(reason)" : "\(message(root: "value")) (at byte \(offset))"
    }
}
