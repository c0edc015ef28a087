/// A glob pattern as Redis `PSUBSCRIBE` reads it: `*` any run, `?` any one character, `[abc]` a set,
/// `\` escapes the next character. Used where Redis has no pattern subscription: the in-memory transport,
/// and sharded pub/sub on a Redis Cluster (a pattern is matched against the known channels).
public struct GlobPattern: Sendable, Equatable {
    private let pattern: [Character]

    /// Creates a pattern from its text.
    public init(_ pattern: String) {
        self.pattern = Array(pattern)
    }

    /// Whether `text` matches the whole pattern.
    public func matches(_ text: String) -> Bool {
        Self.match(pattern[...], Array(text)[...])
    }

    private static func match(_ pattern: ArraySlice<Character>, _ text: ArraySlice<Character>) -> Bool {
        guard let first = pattern.first else { return text.isEmpty }
        let rest = pattern.dropFirst()
        switch first {
        case "*":
            return text.indices.contains { match(rest, text[$0...]) } || match(rest, text[text.endIndex...])
        case "?":
            return !text.isEmpty && match(rest, text.dropFirst())
        case "[":
            guard let close = rest.firstIndex(of: "]"), let character = text.first else { return false }
            let set = rest[rest.startIndex..<close]
            return set.contains(character) && match(rest[rest.index(after: close)...], text.dropFirst())
        case "\\" where !rest.isEmpty:
            return text.first == rest.first && match(rest.dropFirst(), text.dropFirst())
        default:
            return text.first == first && match(rest, text.dropFirst())
        }
    }
}
