import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process whose standard output and standard error are captured line by line.
///
/// Used to run `redis-cli`, `redis-server` and the built `switchboard` executable from tests. The process
/// is killed when the value goes away, so a failing test never leaves it running.
public final class ChildProcess: @unchecked Sendable {
    /// How a process ended.
    public enum Termination: Sendable, Equatable, CustomStringConvertible {
        /// It exited with this code.
        case exited(Int32)
        /// A signal ended it.
        case signaled(Int32)

        public var description: String {
            switch self {
            case .exited(let code): "exit code \(code)"
            case .signaled(let number): "signal \(number)"
            }
        }
    }

    /// Which captured stream to look at.
    public enum Stream: Sendable {
        case standardOutput, standardError
    }

    /// What a finished `run` produced.
    public struct Result: Sendable, CustomStringConvertible {
        /// How the process ended.
        public var termination: Termination
        /// Everything it wrote to standard output.
        public var standardOutput: String
        /// Everything it wrote to standard error.
        public var standardError: String

        /// The exit code, or `nil` when a signal ended it.
        public var exitCode: Int32? {
            if case .exited(let code) = termination { return code }
            return nil
        }

        public var description: String {
            "\(termination); stdout: \(standardOutput.debugDescription); stderr: \(standardError.debugDescription)"
        }
    }

    private struct Captured {
        var output = LineBuffer()
        var error = LineBuffer()
        var openStreams = 2
    }

    /// The captured output, shared with the reading threads (which must not keep the process alive).
    private final class CapturedOutput: Sendable {
        let state = Mutex(Captured())

        func withLock<Value: Sendable>(_ body: (inout Captured) -> Value) -> Value {
            state.withLock { body(&$0) }
        }
    }

    private struct LineBuffer {
        var lines: [String] = []
        var text = ""
        private var partial: [UInt8] = []

        mutating func append(_ bytes: [UInt8]) {
            text += String(decoding: bytes, as: UTF8.self)
            partial += bytes
            while let newline = partial.firstIndex(of: UInt8(ascii: "\n")) {
                lines.append(String(decoding: partial[..<newline], as: UTF8.self))
                partial.removeSubrange(...newline)
            }
        }

        mutating func finish() {
            if !partial.isEmpty { lines.append(String(decoding: partial, as: UTF8.self)) }
            partial = []
        }
    }

    /// The program's path.
    public let executable: String
    /// Its arguments.
    public let arguments: [String]
    private let process: Process
    private let captured = CapturedOutput()

    /// Starts a process.
    /// - Parameters:
    ///   - executable: the program's path.
    ///   - arguments: its arguments.
    ///   - environment: its environment; the test process's when `nil`.
    ///   - directory: its working directory; the test process's when `nil`.
    /// - Throws: when the program cannot be started.
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil
    ) throws {
        self.executable = executable
        self.arguments = arguments
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let output = Pipe()
        let error = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = error
        try Self.withSignalsUnblocked { try process.run() }
        self.process = process
        startReading(output.fileHandleForReading, into: .standardOutput)
        startReading(error.fileHandleForReading, into: .standardError)
    }

    deinit {
        kill()
    }

    /// Runs a program to its end and returns what it printed.
    /// - Parameters:
    ///   - executable: the program's path.
    ///   - arguments: its arguments.
    ///   - environment: its environment; the test process's when `nil`.
    ///   - directory: its working directory.
    ///   - timeout: how long it may run before it is killed and `TestTimeout` is thrown.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil,
        timeout: Duration = .seconds(15)
    ) async throws -> Result {
        let child = try ChildProcess(executable, arguments, environment: environment, directory: directory)
        defer { child.kill() }
        guard let termination = await child.waitForExit(timeout: timeout) else {
            throw TestTimeout("\(child.commandLine) did not finish within \(timeout)")
        }
        return Result(termination: termination, standardOutput: child.text(of: .standardOutput),
                      standardError: child.text(of: .standardError))
    }

    /// The process id.
    public var processIdentifier: Int32 { process.processIdentifier }

    /// Whether the process still runs.
    public var isRunning: Bool { process.isRunning }

    /// The command line, for messages.
    public var commandLine: String { ([executable] + arguments).joined(separator: " ") }

    /// The complete lines written to a stream so far.
    public func lines(of stream: Stream = .standardOutput) -> [String] {
        captured.withLock { stream == .standardOutput ? $0.output.lines : $0.error.lines }
    }

    /// Everything written to a stream so far.
    public func text(of stream: Stream = .standardOutput) -> String {
        captured.withLock { stream == .standardOutput ? $0.output.text : $0.error.text }
    }

    /// Waits until a line matching `predicate` appears on `stream`.
    /// - Returns: the first matching line, or `nil` when none appeared within `timeout`.
    public func waitForLine(
        on stream: Stream = .standardOutput, timeout: Duration = .seconds(10), where predicate: (String) -> Bool
    ) async -> String? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let line = lines(of: stream).first(where: predicate) { return line }
            if ContinuousClock.now >= deadline || (!isRunning && allOutputRead) { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Sends a signal, e.g. `SIGINT` or `SIGTERM`.
    public func send(signal number: Int32) {
        guard process.isRunning else { return }
        _ = Glibc.kill(process.processIdentifier, number)
    }

    /// Waits for the process to end and for its output to be read to the end.
    /// - Returns: how it ended, or `nil` when it still runs after `timeout`.
    public func waitForExit(timeout: Duration = .seconds(10)) async -> Termination? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(10))
        }
        // The pipes reach end of file right after the exit, unless a grandchild holds them open.
        let outputDeadline = ContinuousClock.now + .seconds(2)
        while !allOutputRead, ContinuousClock.now < outputDeadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        return termination
    }

    /// Kills the process (`SIGKILL`) if it still runs and waits for it to be reaped.
    public func kill() {
        guard process.isRunning else { return }
        _ = Glibc.kill(process.processIdentifier, SIGKILL)
        let deadline = ContinuousClock.now + .seconds(5)
        while process.isRunning, ContinuousClock.now < deadline {
            usleep(2_000)
        }
    }

    /// Runs `body` (which spawns the child) with no signal blocked on this thread.
    ///
    /// A child inherits the signal mask of the thread that spawns it (Foundation's `Process` does not reset
    /// it), and the threads of Dispatch and of Swift's cooperative pool block most signals: a child spawned
    /// from one would never see `SIGINT` or `SIGTERM`, so `redis-server` and `switchboard` could not shut down
    /// gracefully.
    private static func withSignalsUnblocked<Value>(_ body: () throws -> Value) rethrows -> Value {
        var none = sigset_t()
        var previous = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        return try body()
    }

    private var termination: Termination {
        process.terminationReason == .uncaughtSignal
            ? .signaled(process.terminationStatus) : .exited(process.terminationStatus)
    }

    private var allOutputRead: Bool { captured.withLock { $0.openStreams == 0 } }

    /// Reads a pipe to its end on a thread of its own, so the pipe never fills and blocks the child.
    private func startReading(_ handle: FileHandle, into stream: Stream) {
        let captured = self.captured
        let thread = Thread {
            while true {
                let data = handle.availableData
                let bytes = [UInt8](data)
                captured.withLock { state in
                    switch (stream, bytes.isEmpty) {
                    case (.standardOutput, false): state.output.append(bytes)
                    case (.standardError, false): state.error.append(bytes)
                    case (.standardOutput, true): state.output.finish()
                    case (.standardError, true): state.error.finish()
                    }
                    if bytes.isEmpty { state.openStreams -= 1 }
                }
                if bytes.isEmpty { break }
            }
            try? handle.close()
        }
        thread.start()
    }
}
