#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes whole lines to standard output and standard error, flushed at once (so piped output such as
/// `switchboard tail | grep` shows each line as it comes).
enum Output {
    /// Writes a line to standard output.
    static func standard(_ line: String) {
        write(line, to: 1)
    }

    /// Writes a line to standard error.
    static func error(_ line: String) {
        write(line, to: 2)
    }

    private static func write(_ line: String, to descriptor: Int32) {
        let text = line + "\n"
        text.utf8CString.withUnsafeBufferPointer { buffer in
            var offset = 0
            let count = buffer.count - 1
            while offset < count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }
}
