import RedisClient
@testable import SwitchboardApp
import Testing

/// How `switchboard run` spreads the services it runs over the Redis event loops (`RedisEventLoop.perCore`).
@Suite("switchboard run: services on the per-core event loops")
struct EventLoopAssignmentTests {
    @Test("every service's parts prefer one loop; the services take turns over the loops, in start order")
    func servicesTakeTurnsOverTheLoops() throws {
        let application = try Application(settings: Settings())
        let names = ServiceFactory.serviceNames
        let services = try ServiceFactory(application: application).services(named: names)
        let pinned = services.compactMap { $0 as? ExecutorPreferringService }
        #expect(pinned.count == services.count - 1, "every part but the process's metrics publisher")
        let loops = RedisEventLoop.perCore
        for (index, name) in names.enumerated() {
            let heartbeat = try #require(pinned.first { $0.description == "\(name).heartbeat" }, "\(name)")
            let loop = try #require(heartbeat.executor as? RedisEventLoop)
            #expect(loop === loops[index % loops.count], "\(name) runs on loop \(index % loops.count)")
        }
    }

    @Test("a service wrapped to prefer a loop keeps its name in the group's logs")
    func wrapperKeepsTheName() throws {
        let application = try Application(settings: Settings())
        let services = try ServiceFactory(application: application).services(named: ["stock"])
        let names = services.compactMap { ($0 as? ExecutorPreferringService)?.description }
        #expect(names == ["stock.heartbeat", "stock"])
    }
}
