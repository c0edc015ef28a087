/// A first-in, first-out queue that keeps its storage between uses: a connection's requests in flight, the
/// lanes waiting for a runner's child task.
///
/// `removeFirst` and `popFirst` are O(1) amortised: they empty the slot and move the head. The storage is
/// reset when the queue empties, and the emptied slots are dropped once there are at least
/// ``compactionThreshold`` of them and they make up half the storage, so a queue that never drains (a
/// connection or runner kept busy) stays about as large as what it holds, and each element is moved at most
/// once per compaction it outlives.
public struct FIFOQueue<Element> {
    /// How many emptied slots there are at least before the storage is compacted (when they are also half of it).
    public static var compactionThreshold: Int { 32 }

    @usableFromInline var storage: [Element?] = []
    @usableFromInline var head = 0

    /// Creates an empty queue.
    @inlinable public init() {}

    /// Whether the queue holds nothing.
    @inlinable public var isEmpty: Bool { head == storage.count }
    /// How many elements the queue holds.
    @inlinable public var count: Int { storage.count - head }
    /// The oldest element, or `nil` when the queue is empty.
    @inlinable public var first: Element? { isEmpty ? nil : storage[head] }
    /// How many slots the storage keeps, emptied ones included: what the queue keeps alive (for tests).
    public var storedSlots: Int { storage.count }

    /// Adds `element` at the end.
    @inlinable public mutating func append(_ element: Element) {
        storage.append(element)
    }

    /// Removes and returns the oldest element; the queue must not be empty.
    @inlinable @discardableResult
    public mutating func removeFirst() -> Element {
        guard let element = popFirst() else { preconditionFailure("removeFirst on an empty FIFOQueue") }
        return element
    }

    /// Removes and returns the oldest element, or `nil` when the queue is empty.
    @inlinable public mutating func popFirst() -> Element? {
        guard head < storage.count else { return nil }
        let element = storage[head].take()
        head += 1
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= Self.compactionThreshold && head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return element
    }

    /// Empties the queue, returning its elements in order.
    public mutating func removeAll() -> [Element] {
        let elements = storage[head...].map { $0! }
        storage.removeAll(keepingCapacity: true)
        head = 0
        return elements
    }
}

extension FIFOQueue: Sendable where Element: Sendable {}
