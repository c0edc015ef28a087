#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// TCP ports on 127.0.0.1 that nothing listens on.
public enum FreePort {
    /// A port the kernel just handed out for 127.0.0.1 and that is closed again: free unless another
    /// process grabs it in between (callers that bind it retry with another one).
    public static func next() -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        precondition(descriptor >= 0, "socket() failed: errno \(errno)")
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                guard bind(descriptor, generic, length) == 0 else { return false }
                return getsockname(descriptor, generic, &length) == 0
            }
        }
        precondition(bound, "cannot bind a socket to 127.0.0.1:0: errno \(errno)")
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
