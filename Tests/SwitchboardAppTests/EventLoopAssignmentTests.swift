import RedisClient
@testable import SwitchboardApp
import Testing

/// How `switchboard run` spreads the services it runs over the Redis event loops (`RedisEventLoop.perCore`).
@Suite("switchboard run: services on the per-core event loops")
struct EventLoopAssignmentTests {
    @Test("every service's parts prefer one loop; the services take turns over the loops, in turn order")
    func servicesTakeTurnsOverTheLoops() throws {
        let application = try Application(settings: Settings())
        let services = try ServiceFactory(application: application).services(named: ServiceFactory.serviceNames)
        let pinned = services.compactMap { $0 as? ExecutorPreferringService }
        #expect(pinned.count == services.count - 1, "every part but the process's metrics publisher")
        #expect(Set(ServiceFactory.loopTurns) == Set(ServiceFactory.serviceNames), "every service has a turn")
        let loops = RedisEventLoop.perCore
        for (index, name) in ServiceFactory.loopTurns.enumerated() {
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

    @Test("a process running some of the services gives them turns among themselves: two services, two loops")
    func someServicesTakeTurnsAmongThemselves() throws {
        let application = try Application(settings: Settings())
        let services = try ServiceFactory(application: application).services(named: ["order", "payment"])
        let loops = services.compactMap { $0 as? ExecutorPreferringService }
            .filter { $0.description.hasSuffix(".heartbeat") }
            .compactMap { $0.executor as? RedisEventLoop }
        #expect(loops.count == 2)
        #expect(loops.first === RedisEventLoop.perCore[0])
        #expect(loops.last === RedisEventLoop.perCore[1 % RedisEventLoop.perCore.count])
    }
}
