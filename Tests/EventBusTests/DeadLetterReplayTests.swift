import EventBus
import EventBusInMemory
import Testing

@Suite("DeadLetterReplay publishes dead letters again as they arrived, then removes them")
struct DeadLetterReplayTests {
    private static func letter(_ orderID: String) -> DeadLetter {
        let event = CloudEvent(id: "e-\(orderID)", source: "test", type: "order.created",
                               correlationID: orderID, data: ["orderId": .string(orderID)])
        return DeadLetter(channel: "order.created", service: "order", reason: "data.items is missing",
                          payload: event.encoded())
    }

    @Test("a named letter is published on its channel and removed; the others stay")
    func replaysNamed() async throws {
        let store = InMemoryDeadLetterStore()
        let transport = InMemoryTransport()
        let first = try await store.add(Self.letter("o-1"))
        let second = try await store.add(Self.letter("o-2"))
        let replayed = try await DeadLetterReplay(store: store, transport: transport).replay([second])
        #expect(replayed.map(\.id) == [second])
        #expect(await transport.published.map(\.correlationID) == ["o-2"])
        #expect(try await store.list(limit: 10).map(\.id) == [first])
    }

    @Test("no id replays every letter, in the store's order")
    func replaysAll() async throws {
        let store = InMemoryDeadLetterStore()
        let transport = InMemoryTransport()
        try await store.add(Self.letter("o-1"))
        try await store.add(Self.letter("o-2"))
        try await DeadLetterReplay(store: store, transport: transport).replay([])
        #expect(await transport.published.map(\.correlationID) == ["o-1", "o-2"])
        #expect(try await store.list(limit: 10).isEmpty)
    }

    @Test("an unknown id replays nothing and names the id")
    func unknownID() async throws {
        let store = InMemoryDeadLetterStore()
        let transport = InMemoryTransport()
        let stored = try await store.add(Self.letter("o-1"))
        await #expect(throws: DeadLetterReplay.Failure.missing(["nope"])) {
            try await DeadLetterReplay(store: store, transport: transport).replay([stored, "nope"])
        }
        #expect(await transport.published.isEmpty)
        #expect(try await store.list(limit: 10).map(\.id) == [stored])
        #expect(DeadLetterReplay.Failure.missing(["nope"]).message == "no dead letter with id nope")
    }
}
