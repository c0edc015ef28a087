import EventBus
import EventBusInMemory
import Testing

@Suite("DeadLetterReplay publishes dead letters again as they were stored, then removes them")
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

    @Test("a letter that held a card number is stored masked and never replayed")
    func maskedCardIsNotReplayed() async throws {
        let store = InMemoryDeadLetterStore()
        let transport = InMemoryTransport()
        let masked = try await store.add(DeadLetter(channel: "order.created", service: "payment", reason: "bad",
                                                    payload: Array(#"{"card":"4242424242424242"}"#.utf8)))
        let plain = try await store.add(Self.letter("o-1"))
        #expect(try await store.list(limit: 10).first?.payload == Array(#"{"card":"************4242"}"#.utf8))
        let replay = DeadLetterReplay(store: store, transport: transport)
        await #expect(throws: DeadLetterReplay.Failure.maskedCard([masked])) {
            try await replay.replay([masked, plain])
        }
        #expect(await transport.published.isEmpty)
        #expect(try await replay.replay([]).map(\.id) == [plain])
        #expect(try await store.list(limit: 10).map(\.id) == [masked])
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
