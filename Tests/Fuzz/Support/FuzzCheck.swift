#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// What every fuzz target shares: turning libFuzzer's buffer into bytes, running async code to its end,
/// and failing loudly (so libFuzzer keeps the input as a crash file) when a property does not hold.
enum FuzzCheck {
    /// The input as bytes.
    static func bytes(_ data: UnsafePointer<UInt8>, _ size: Int) -> [UInt8] {
        Array(UnsafeBufferPointer(start: data, count: size))
    }

    /// Stops the process with `message` when `condition` is false: libFuzzer saves the input that did it.
    static func require(_ condition: Bool, _ message: @autoclosure () -> String) {
        guard !condition else { return }
        FileHandle.standardError.write(Data("fuzz property violated: \(message())\n".utf8))
        abort()
    }

    /// Runs `body` on the cooperative pool and waits for its result (libFuzzer calls targets synchronously).
    static func wait<Value: Sendable>(_ body: @escaping @Sendable () async -> Value) -> Value {
        let box = ResultBox<Value>()
        let done = DispatchSemaphore(value: 0)
        Task {
            box.value = await body()
            done.signal()
        }
        done.wait()
        return box.value!
    }
}

/// One value handed from a task to the thread waiting for it; the semaphore orders the accesses.
private final class ResultBox<Value>: @unchecked Sendable {
    var value: Value?
}
