import EventBus
import JSONBytes
import Synchronization
import Testing

@Suite("An event's payload is parsed once per message")
struct PayloadMemoTests {
    /// A payload that counts how often it is read from bytes, by name, so tests running at once do not mix.
    struct Counted: Decodable, Sendable, Equatable, JSONReadable {
        static let reads = Mutex<[String: Int]>([:])

        var name: String

        init(json reader: inout JSONReader) throws(JSONReaderError) {
            var name: String?
            try reader.beginObject()
            while let key = try reader.nextMember() {
                if key.equals("name") { name = try reader.readString() } else { try reader.skipValue() }
            }
            guard let name else {
                throw JSONReaderError(.missingMember, at: reader.offset, path: [.member("name")], "is missing")
            }
            self.name = name
            Self.reads.withLock { $0[name, default: 0] += 1 }
        }

        static func reads(of name: String) -> Int {
            reads.withLock { $0[name] ?? 0 }
        }
    }

    /// Another type the same bytes can be read as.
    struct Renamed: Decodable, Sendable, Equatable {
        var name: String
    }

    static func message(named name: String) throws -> CloudEvent {
        let sent = CloudEvent(source: "switchboard/test", type: "test.counted", data: ["name": .string(name)])
        return try CloudEvent(decoding: sent.encoded(), channel: "test.counted")
    }

    @Test("an event read from a message, and its copies, parse the payload the first time it is asked for")
    func readOnce() throws {
        let event = try Self.message(named: "once")
        let copy = event
        #expect(try event.decodeDataOnce(as: Counted.self) == Counted(named: "once"))
        #expect(try event.decodeDataOnce(as: Counted.self).name == "once")
        #expect(try copy.decodeDataOnce(as: Counted.self).name == "once")
        #expect(Counted.reads(of: "once") == 1)
        // `decodeData(as:)` still parses every time.
        _ = try event.decodeData(as: Counted.self)
        #expect(Counted.reads(of: "once") == 2)
    }

    @Test("another type is read from the bytes, not taken from what was kept")
    func anotherType() throws {
        let event = try Self.message(named: "other")
        #expect(try event.decodeDataOnce(as: Counted.self).name == "other")
        #expect(try event.decodeDataOnce(as: Renamed.self) == Renamed(name: "other"))
    }

    @Test("an event built in code, or whose data is set, reads its data as it is now")
    func builtOrChanged() throws {
        var event = try Self.message(named: "before")
        #expect(try event.decodeDataOnce(as: Counted.self).name == "before")
        event.data = ["name": "after"]
        #expect(try event.decodeDataOnce(as: Counted.self).name == "after")
        let built = CloudEvent(source: "switchboard/test", type: "test.counted", data: ["name": "built"])
        #expect(try built.decodeDataOnce(as: Counted.self).name == "built")
        #expect(try built.decodeDataOnce(as: Counted.self).name == "built")
        #expect(Counted.reads(of: "built") == 2)
    }

    @Test("a payload that cannot be read fails each time with the field it lacks, and nothing is kept")
    func failureIsNotKept() throws {
        let sent = CloudEvent(source: "switchboard/test", type: "test.counted", data: ["other": 1])
        let event = try CloudEvent(decoding: sent.encoded(), channel: "test.counted")
        for _ in 0..<2 {
            let error = try #require(throws: CloudEventError.self) { try event.decodeDataOnce(as: Counted.self) }
            #expect(error.message.contains("data.name"))
        }
    }
}

extension PayloadMemoTests.Counted {
    /// A value made without reading (and counting) anything.
    init(named name: String) {
        self.name = name
    }
}
