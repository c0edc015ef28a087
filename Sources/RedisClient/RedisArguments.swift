import CHiredis

/// Binary-safe arguments of a Redis command, laid out one after the other in one buffer.
///
/// A command on the hot path has a few dozen small arguments (a commit: its keys' indices, fields, values,
/// events). Held as one array each, they cost an allocation apiece to build and another pass to gather for
/// hiredis; here building them appends bytes to one buffer and records where each one ends, so a command
/// costs two allocations whatever its size, text and integers are written straight in (no `[UInt8]` in
/// between), and hiredis formats them from pointers into that buffer.
///
/// A collection of the arguments, each an `ArraySlice<UInt8>` of the buffer.
public struct RedisArguments: Sendable, Hashable, RandomAccessCollection {
    /// The arguments' bytes, one after the other.
    private var bytes: [UInt8] = []
    /// Where each argument ends in `bytes`.
    private var ends: [Int] = []

    /// No arguments, with room for `capacity` of them and `byteCapacity` bytes, so building them does not
    /// reallocate.
    public init(capacity: Int = 0, byteCapacity: Int = 0) {
        ends.reserveCapacity(capacity)
        bytes.reserveCapacity(byteCapacity)
    }

    /// The arguments given as bytes.
    public init(_ arguments: [[UInt8]]) {
        self.init(capacity: arguments.count, byteCapacity: arguments.reduce(0) { $0 + $1.count })
        for argument in arguments { append(argument) }
    }

    /// The arguments given as any convertible values, each as it writes itself.
    public init(_ arguments: [any RedisArgumentConvertible]) {
        // Their sizes are not known before they are written: room for short keys and values.
        self.init(capacity: arguments.count, byteCapacity: 32 * arguments.count)
        append(contentsOf: arguments)
    }

    /// The arguments given as text, each sent as UTF-8.
    public init(_ arguments: [String]) {
        self.init(capacity: arguments.count, byteCapacity: arguments.reduce(0) { $0 + $1.utf8.count })
        for argument in arguments { append(argument) }
    }

    /// How many bytes the arguments take, all together.
    public var byteCount: Int { bytes.count }

    // MARK: - Collection

    public var startIndex: Int { 0 }
    public var endIndex: Int { ends.count }

    /// The argument at `index`, as a view of the buffer: its own indices are the buffer's, so they start where
    /// the argument starts, not at 0 (`Array(argument)` when a zero-based copy is wanted).
    public subscript(index: Int) -> ArraySlice<UInt8> {
        bytes[(index == 0 ? 0 : ends[index - 1])..<ends[index]]
    }

    // MARK: - Appending

    /// Appends an argument given as bytes.
    public mutating func append(_ argument: some Collection<UInt8>) {
        bytes.append(contentsOf: argument)
        ends.append(bytes.count)
    }

    /// Appends an argument given as text, sent as UTF-8.
    public mutating func append(_ argument: String) {
        append(argument.utf8)
    }

    /// Appends one argument made of two texts, `head` then `tail`, sent as UTF-8 (a versioned function's
    /// name: `switchboard_commit` and `_1a2b3c4d`), without joining them in a string first.
    public mutating func append(_ head: String, followedBy tail: String) {
        bytes.append(contentsOf: head.utf8)
        append(tail.utf8)
    }

    /// Appends an integer argument, sent in decimal, written digit by digit into the buffer.
    public mutating func append(_ argument: Int) {
        var magnitude = argument.magnitude
        if argument < 0 { bytes.append(UInt8(ascii: "-")) }
        var low = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        // The digits came least significant first. Swapped in place: reversing `bytes[low...]` would copy
        // the slice, as it shares the array's storage.
        var high = bytes.count - 1
        while low < high {
            bytes.swapAt(low, high)
            low += 1
            high -= 1
        }
        ends.append(bytes.count)
    }

    /// Appends each of `arguments`, in order.
    public mutating func append(contentsOf arguments: RedisArguments) {
        let offset = bytes.count
        bytes.append(contentsOf: arguments.bytes)
        ends.append(contentsOf: arguments.ends.lazy.map { $0 + offset })
    }

    /// Appends each of `arguments`, in order.
    public mutating func append(contentsOf arguments: [[UInt8]]) {
        for argument in arguments { append(argument) }
    }

    /// Appends each of `arguments`, in order, each as it writes itself (`RedisArgumentConvertible`).
    public mutating func append(contentsOf arguments: [any RedisArgumentConvertible]) {
        for argument in arguments { argument.append(to: &self) }
    }

    // MARK: - For hiredis

    /// Calls `body` with argc, argv and the lengths of the arguments as hiredis takes them: pointers into
    /// the buffer, with only the pointer and length tables in temporary (stack, when small) storage.
    func withArgv<Result>(
        _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> Result
    ) -> Result {
        withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: Swift.max(count, 1)) { pointers in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: Swift.max(count, 1)) { lengths in
                withBaseAddress { base in
                    var start = 0
                    for (index, end) in ends.enumerated() {
                        pointers[index] = UnsafeRawPointer(base + start).assumingMemoryBound(to: CChar.self)
                        lengths[index] = end - start
                        start = end
                    }
                    return body(Int32(count), pointers.baseAddress!, UnsafePointer(lengths.baseAddress!))
                }
            }
        }
    }

    /// The buffer's first byte; a byte of its own when every argument is empty (an empty array may have no
    /// storage), so no argument's pointer is null.
    private func withBaseAddress<Result>(_ body: (UnsafePointer<UInt8>) -> Result) -> Result {
        bytes.withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress { return body(base) }
            var placeholder: UInt8 = 0
            return withUnsafePointer(to: &placeholder) { body($0) }
        }
    }
}
