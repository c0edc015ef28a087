/// Reads structured values off the front of a fuzz input: a byte picks among choices, a length-prefixed
/// slice becomes a string. Not a wire format of the system: only a way to spread the fuzzer's bytes over
/// the fields of a request or the channel of a message.
struct FuzzInput {
    private var bytes: ArraySlice<UInt8>

    init(_ bytes: [UInt8]) {
        self.bytes = bytes[...]
    }

    /// Whether nothing is left.
    var isEmpty: Bool { bytes.isEmpty }

    /// One of `choices`, picked by the next byte (the first when none is left).
    mutating func pick<Value>(_ choices: [Value]) -> Value {
        guard let byte = bytes.popFirst() else { return choices[0] }
        return choices[Int(byte) % choices.count]
    }

    /// The next byte's worth of bytes (at most 255), as text.
    mutating func shortText() -> String {
        let count = Int(bytes.popFirst() ?? 0)
        let taken = bytes.prefix(count)
        bytes = bytes.dropFirst(count)
        return String(decoding: taken, as: UTF8.self)
    }

    /// Everything left.
    mutating func rest() -> [UInt8] {
        defer { bytes = [] }
        return Array(bytes)
    }
}
