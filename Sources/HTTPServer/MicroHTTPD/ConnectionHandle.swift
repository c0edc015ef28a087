import CMicroHTTPD

/// An MHD connection pointer that may cross threads.
///
/// MHD documents `MHD_resume_connection` as callable from any thread, and `MHD_suspend_connection`
/// from its own callbacks; those are the only calls made through a handle off MHD's threads, and only
/// while the connection is known to be alive (suspended connections are never freed).
struct ConnectionHandle: @unchecked Sendable {
    let pointer: OpaquePointer

    func suspend() { MHD_suspend_connection(pointer) }
    func resume() { MHD_resume_connection(pointer) }
}
