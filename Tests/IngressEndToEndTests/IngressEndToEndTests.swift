import Testing

/// The HTTP ingress end to end (`docs/http.md`): each test starts a private redis-server and a
/// real `switchboard run` process and talks to it over sockets with `curl` or raw TCP.
///
/// The nested suites live in files of their own; all of them run one test at a time, as each test starts
/// its own processes.
@Suite("Ingress end to end", .serialized)
enum IngressEndToEndTests {}
