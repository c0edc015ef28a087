import Dispatch
import JSONBytes
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes log lines to standard error off the threads that log: a logging thread only hands its record
/// over, and a queue of the writer's own formats what has gathered and writes it with one `write(2)`.
///
/// The first record after a quiet spell schedules the queue `gathering` later rather than at once, so a
/// busy process wakes the writer's thread a few hundred times a second at most instead of once every few
/// records, and many records share one write: the default of one `info` line per handled event stays
/// cheap however fast events are handled. Lines keep the order they were logged in. What is still
/// waiting when the process exits is written by an `atexit` handler; a process that is killed loses at
/// most the lines of the last few milliseconds.
final class StandardErrorWriter: Sendable {
    /// The process's one writer: standard error is one file for the whole process.
    static let shared: StandardErrorWriter = {
        let writer = StandardErrorWriter()
        atexit { StandardErrorWriter.shared.flush() }
        return writer
    }()

    private struct Pending {
        var records: [(record: LogRecord, format: LogSink.Format)] = []
        var draining = false
    }

    private let pending = Mutex(Pending())
    private let queue = DispatchQueue(label: "switchboard.log.writer")
    /// How long records gather before the queue formats and writes them.
    private static let gathering = DispatchTimeInterval.milliseconds(5)

    /// Queues a record, to be written in `format`: after `gathering`, or at once for an `error` or worse,
    /// which may be a process's last words.
    func write(_ record: LogRecord, format: LogSink.Format) {
        let mustDrain = pending.withLock { pending in
            pending.records.append((record, format))
            defer { pending.draining = true }
            return !pending.draining
        }
        if record.level >= .error {
            queue.async { self.drain() }
        } else if mustDrain {
            queue.asyncAfter(deadline: .now() + Self.gathering) { self.drain() }
        }
    }

    /// Writes everything queued so far before returning.
    func flush() {
        queue.sync { drain() }
    }

    /// On the queue: writes batch after batch until nothing is left.
    private func drain() {
        while true {
            let batch = pending.withLock { pending in
                defer { pending.records.removeAll(keepingCapacity: true) }
                if pending.records.isEmpty { pending.draining = false }
                return pending.records
            }
            guard !batch.isEmpty else { return }
            var text: [UInt8] = []
            text.reserveCapacity(batch.count * 256)
            for (record, format) in batch {
                switch format {
                case .logfmt: record.appendLogfmt(to: &text)
                case .json: text.append(contentsOf: record.json.utf8)
                }
                text.append(UInt8(ascii: "\n"))
            }
            var utf8 = CardNumberMask.masked(text)
            utf8.withUnsafeMutableBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = Glibc.write(2, bytes.baseAddress! + offset, bytes.count - offset)
                    if written < 0 && errno == EINTR { continue }
                    guard written > 0 else { return }
                    offset += written
                }
            }
        }
    }
}
