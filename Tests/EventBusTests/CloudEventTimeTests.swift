import EventBus
import Telemetry
import Testing

@Suite("CloudEvent time")
struct CloudEventTimeTests {
    /// Found by the cloudevent fuzz target: `.787` was read as a binary fraction just below it and written
    /// back truncated as `.786`, so each read-and-write moved the event's time back by a millisecond.
    @Test("an event's time survives reading and writing unchanged", arguments: ["787", "001", "999", "000", "786"])
    func timeIsStable(_ milliseconds: String) throws {
        let time = "2026-11-30T23:23:54.\(milliseconds)Z"
        let envelope = #"{"specversion":"1.0","id":"e-1","source":"test","type":"order.created","time":"\#(time)","data":{}}"#
        let once = try CloudEvent(envelope: Array(envelope.utf8))
        let twice = try CloudEvent(envelope: once.encoded())
        #expect(twice == once)
        #expect(String(decoding: twice.encoded(), as: UTF8.self).contains(time))
        #expect(RFC3339.string(from: try #require(RFC3339.date(from: time))) == time)
    }
}
